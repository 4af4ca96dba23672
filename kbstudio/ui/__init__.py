"""The Qt user interface: thin widgets over the Qt-free core."""
