"""The in-window notices of firing alerts: they stay until seen, at most four, top-right, never
taking the keyboard focus."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QWidget

from kucandle_gui.ui.alerts.toast import MARGIN, MAX_VISIBLE


def test_a_toast_stays_until_its_cross_is_clicked(qtbot, stack):
    stack.show_toasts([("BTC-USDT rose to 70,000.0", "candle 14:32 · live", None)])

    assert stack.isVisible()
    assert stack.texts() == ["BTC-USDT rose to 70,000.0\ncandle 14:32 · live"]
    assert stack.findChildren(QTimer) == []  # nothing that could take it down on its own
    QApplication.processEvents()
    assert stack.isVisible()
    assert stack.toasts()[0].isVisible()

    with qtbot.assertNotEmitted(stack.toastClicked):
        qtbot.mouseClick(stack.toasts()[0].close_button, Qt.MouseButton.LeftButton)
    assert stack.texts() == []
    assert stack.count() == 0
    assert not stack.isVisible()


def test_a_click_on_a_toast_dismisses_it_and_says_which(qtbot, stack):
    stack.show_toasts([("ETH-USDT fell to 3,000.5", "candle 14:33 · live", 7)])
    stack.show_toasts([("BTC-USDT rose to 70,000.0", "candle 14:32 · live", 3)])
    clicked = stack.toasts()[1]  # the older one, below the newest

    with qtbot.waitSignal(stack.toastClicked, timeout=2000) as blocker:
        qtbot.mouseClick(clicked.title, Qt.MouseButton.LeftButton)  # a label: passed on

    assert blocker.args == [7]
    assert stack.texts() == ["BTC-USDT rose to 70,000.0\ncandle 14:32 · live"]


def test_at_most_four_toasts_then_a_more_line(qtbot, stack):
    for n in range(6):
        stack.show_toasts([(f"alert {n}", "live", None)])

    assert stack.texts() == [
        "alert 5\nlive",
        "alert 4\nlive",
        "alert 3\nlive",
        "alert 2\nlive",
        "+2 more",
    ]
    assert len(stack.toasts()) == MAX_VISIBLE
    assert stack.count() == 6

    qtbot.mouseClick(stack.toasts()[0].close_button, Qt.MouseButton.LeftButton)
    assert stack.texts()[0] == "alert 4\nlive"
    assert stack.texts()[-2:] == ["alert 1\nlive", "+1 more"]
    assert stack.toasts()[-1].isVisible()  # the older one came in

    qtbot.mouseClick(stack.findChild(QPushButton), Qt.MouseButton.LeftButton)  # Dismiss all
    assert stack.texts() == []
    assert not stack.isVisible()


def test_toasts_stay_top_right_as_the_host_is_resized(qtbot, host, stack):
    stack.show_toasts([("BTC-USDT rose to 70,000.0", "candle 14:32 · live", None)])
    assert stack.geometry().right() + 1 == host.width() - MARGIN
    assert stack.geometry().top() == MARGIN
    toast = stack.toasts()[0]
    assert stack.rect().contains(toast.geometry())  # nothing cut off
    assert toast.detail.height() >= toast.detail.fontMetrics().height()
    assert toast.detail.geometry().bottom() < toast.height()

    host.resize(520, 300)

    qtbot.waitUntil(lambda: stack.geometry().right() + 1 == 520 - MARGIN, timeout=2000)
    assert stack.geometry().top() == MARGIN


def test_toasts_never_take_the_keyboard_focus(qtbot, host, stack):
    edit = QLineEdit(host)
    edit.show()
    host.activateWindow()
    edit.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is edit, timeout=2000)

    stack.show_toasts([("first", "live", None)])
    stack.show_toasts([("second", "live", None)])
    qtbot.mouseClick(stack.toasts()[0], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(stack.toasts()[0].close_button, Qt.MouseButton.LeftButton)

    assert stack.count() == 0
    assert QApplication.focusWidget() is edit
    stack.show_toasts([("third", "live", None)])
    stack.show_toasts([("fourth", "live", None)])
    for _ in range(4):
        stack.show_toasts([("more", "live", None)])
    parts = [stack, *stack.findChildren(QWidget)]
    assert [w for w in parts if w.focusPolicy() != Qt.FocusPolicy.NoFocus] == []


def test_toast_colours_follow_set_colors(stack):
    stack.set_colors("#102030", "#f0f0f0", "#ff8800")
    stack.show_toasts([("BTC-USDT rose to 70,000.0", "candle 14:32 · live", None)])
    toast = stack.toasts()[0]

    image = toast.grab().toImage()
    inside = QPoint(toast.width() // 2, toast.height() - 3)  # the bottom padding
    edge = QPoint(1, toast.height() // 2)  # the accent bar on the left

    assert image.pixelColor(inside) == QColor("#102030")
    assert image.pixelColor(edge) == QColor("#ff8800")


# -- the channels -------------------------------------------------------------------------------
#
# What the user gets is observed where Qt would give it: a tray icon whose showMessage records
# the message, the taskbar's attention request recorded instead of QApplication.alert, and the
# chime through a local "paplay" that writes the file it plays into a marker file.
