"""Light and dark themes: follow the system's colour scheme, or the user's choice."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QLabel

THEMES = ("system", "light", "dark")

_DARK = {
    QPalette.ColorRole.Window: "#2b2d30",
    QPalette.ColorRole.WindowText: "#e6e6e6",
    QPalette.ColorRole.Base: "#1e1f22",
    QPalette.ColorRole.AlternateBase: "#26282b",
    QPalette.ColorRole.ToolTipBase: "#3c3f41",
    QPalette.ColorRole.ToolTipText: "#e6e6e6",
    QPalette.ColorRole.PlaceholderText: "#8c8c8c",
    QPalette.ColorRole.Text: "#e6e6e6",
    QPalette.ColorRole.Button: "#3c3f41",
    QPalette.ColorRole.ButtonText: "#e6e6e6",
    QPalette.ColorRole.BrightText: "#ff6b68",
    QPalette.ColorRole.Highlight: "#2f65ca",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#6ea8fe",
    QPalette.ColorRole.LinkVisited: "#b69cf5",
}

# Qt's rich text understands a small CSS subset: colours, borders, margins and padding.
_PREVIEW_CSS = """
h1, h2, h3 {{ color: {heading}; }}
a {{ color: {link}; }}
code {{ background-color: {code_bg}; }}
pre {{ background-color: {code_bg}; padding: 6px; }}
table {{ border-color: {rule}; }}
th {{ background-color: {code_bg}; padding: 3px 6px; }}
td {{ padding: 3px 6px; }}
blockquote {{ color: {muted}; margin-left: 12px; }}
.alert {{ background-color: {alert_bg}; padding: 4px 10px; margin: 6px 0; }}
.alert-title {{ font-weight: bold; color: {alert_title}; }}
.alert-warning .alert-title, .alert-caution .alert-title {{ color: {warn}; }}
.remote-image {{ color: {muted}; font-style: italic; }}
.missing-image {{ color: {warn}; font-style: italic; }}
"""


def system_prefers_dark() -> bool:
    """Return True when the desktop asks for a dark colour scheme."""
    app = QGuiApplication.instance()
    if app is None:
        return False
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def wants_dark(theme: str) -> bool:
    """Return True when ``theme`` (system, light or dark) means dark right now."""
    return theme == "dark" or (theme == "system" and system_prefers_dark())


def apply_theme(app: QApplication, dark: bool) -> None:
    """Give the whole app a dark palette, or the style's own light one."""
    if not isinstance(app, QApplication):
        return
    if dark:
        app.setStyle("Fusion")
        palette = QPalette()
        for role, colour in _DARK.items():
            palette.setColor(role, QColor(colour))
        for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
            palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7a7a"))
        app.setPalette(palette)
    else:
        app.setPalette(app.style().standardPalette())


def preview_css(dark: bool) -> str:
    """Return the read view's style sheet for the theme."""
    colours = (dict(heading="#e6e6e6", link="#6ea8fe", code_bg="#313338", rule="#555555", muted="#a0a0a0",
                    alert_bg="#26323f", alert_title="#8ab4f8", warn="#ffb74d")
               if dark else
               dict(heading="#1f2328", link="#0b57d0", code_bg="#f3f4f6", rule="#d0d7de", muted="#57606a",
                    alert_bg="#eef4fc", alert_title="#0b57d0", warn="#b45309"))
    return _PREVIEW_CSS.format(**colours)


def refresh_rich_label(label: QLabel) -> None:
    """Lay out a rich-text label again, so its links take the new palette's colour."""
    text = label.text()
    label.clear()   # QLabel ignores setting the text it already shows
    label.setText(text)
    sheet = label.styleSheet()
    if sheet:   # a widget with a style sheet keeps the colours it was polished with
        label.setStyleSheet("")
        label.setStyleSheet(sheet)
