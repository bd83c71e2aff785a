"""The tray / menu-bar icon of `serve --tray` (the optional `[tray]` extra: pystray, Pillow)."""
