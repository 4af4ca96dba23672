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

# Qt's rich text understands a small CSS subset: colours, borders on table cells, margins and padding.
# The read view's HTML is first adapted by kbstudio.ui.read_html (alerts and code blocks become one-cell
# tables with these classes); ``pre`` wraps, since a QTextBrowser cannot scroll one block sideways.
_PREVIEW_CSS = """
h1, h2, h3 {{ color: {heading}; }}
a {{ color: {link}; }}
code {{ background-color: {code_bg}; }}
pre {{ white-space: pre-wrap; margin-top: 0px; margin-bottom: 0px; margin-left: 24px; text-indent: -24px; }}
.kb-code {{ margin-top: 6px; margin-bottom: 10px; }}
.kb-code-cell, .kb-code-side {{ background-color: {code_bg}; }}
.kb-copy {{ color: {link}; font-size: small; }}
.kb-table {{ border-color: {rule}; margin-top: 6px; margin-bottom: 10px; }}
th {{ background-color: {code_bg}; }}
blockquote {{ color: {muted}; margin-left: 12px; }}
.kb-alert {{ margin-top: 6px; margin-bottom: 10px; }}
.alert-title {{ font-weight: bold; margin-top: 0px; }}
.kb-notice {{ color: {muted}; font-style: italic; background-color: {notice_bg};
  border-left-width: 4px; border-left-style: solid; border-left-color: {rule}; }}
.remote-image {{ color: {muted}; font-style: italic; }}
.missing-image {{ color: {warn}; font-style: italic; }}
"""

# Alert colours like GitHub's: (left border, title, background) per kind, for the light and the dark theme.
ALERT_COLOURS: dict[bool, dict[str, tuple[str, str, str]]] = {
    False: {
        "note": ("#0969da", "#0969da", "#ebf4fe"),
        "tip": ("#1a7f37", "#177334", "#eaf6ec"),
        "important": ("#8250df", "#7340d0", "#f4effd"),
        "warning": ("#bf8700", "#8a5c00", "#fdf5d9"),
        "caution": ("#cf222e", "#c11d28", "#fdeeed"),
    },
    True: {
        "note": ("#4493f8", "#6cacfb", "#1c2838"),
        "tip": ("#3fb950", "#56c867", "#1a2b20"),
        "important": ("#ab7df8", "#bb97f9", "#282238"),
        "warning": ("#d29922", "#e0ad3c", "#2f2916"),
        "caution": ("#f85149", "#fa7a73", "#361f1f"),
    },
}


def read_colours(dark: bool) -> dict[str, str]:
    """Return the read view's named colours (text, headings, links, code, rules) for a theme."""
    if dark:
        return dict(text="#e6e6e6", base="#1e1f22", heading="#e6e6e6", link="#6ea8fe", code_bg="#313338",
                    rule="#5a5d63", muted="#a0a0a0", warn="#ffb74d", notice_bg="#26282b")
    return dict(text="#1f2328", base="#ffffff", heading="#1f2328", link="#0b57d0", code_bg="#f3f4f6",
                rule="#d0d7de", muted="#57606a", warn="#b45309", notice_bg="#f6f8fa")


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
    """Return the read view's style sheet for the theme (alert kinds each get their own colours)."""
    css = _PREVIEW_CSS.format(**read_colours(dark))
    for kind, (border, title, background) in ALERT_COLOURS[dark].items():
        css += (f".kb-alert-{kind} {{ background-color: {background}; border-left-width: 4px; "
                f"border-left-style: solid; border-left-color: {border}; }}\n"
                f".kb-alert-title-{kind} {{ color: {title}; }}\n")
    return css


def refresh_rich_label(label: QLabel) -> None:
    """Lay out a rich-text label again, so its links take the new palette's colour."""
    text = label.text()
    label.clear()   # QLabel ignores setting the text it already shows
    label.setText(text)
    sheet = label.styleSheet()
    if sheet:   # a widget with a style sheet keeps the colours it was polished with
        label.setStyleSheet("")
        label.setStyleSheet(sheet)
