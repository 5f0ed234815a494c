"""Reading handwritten numbers: cutting a picture into digits (``segment``), reading
them with a network (``reading``), and synthetic test pictures (``digit_strings``)."""
