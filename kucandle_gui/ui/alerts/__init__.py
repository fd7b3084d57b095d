"""Price alerts on screen: the panel, the chart lines, the notices, and what is saved."""
