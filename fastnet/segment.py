"""``fastnet.segment``, the old path of :mod:`fastnet.vision.segment` (cutting a
picture of a number into digits) and :mod:`fastnet.vision.reading` (reading it): the
same objects under their old names."""
from .vision.cuts import CUT_WINDOW, PATH_BEND, PATH_HOLE, PATH_OFFSET
from .vision.reading import NumberReading, draw, read_number
from .vision.segment import (CHEAP_CUT, CHEAP_CUT_FEW, CROP_MARGIN, CUT_METHOD, FEW_BLOBS,
                             MAX_PIXELS, MEDIAN_NOISE, MERGE_OVERLAP, MERGE_WIDTH, MIN_AREA,
                             MIN_CONTRAST, PITCH_HEIGHT, PITCH_WIDTH, SPECK_FRACTION,
                             SPLIT_HEIGHT, SPLIT_HEIGHT_FEW, SPLIT_MAYBE, SPLIT_MAYBE_FEW,
                             SPLIT_RATIO, Box, Digit, box_iou, label_components, median3x3,
                             otsu_threshold, segment)

__all__ = ["Digit", "NumberReading", "segment", "read_number", "draw", "box_iou",
           "otsu_threshold", "label_components", "median3x3", "MAX_PIXELS"]
