"""Reading handwritten numbers: cutting a picture into digits (``segment``, its touching
digits cut by ``cuts``), reading them with a network (``reading``), and synthetic test
pictures (``digit_strings``)."""
