"""The Qt widgets: window, chart, dialogs."""
