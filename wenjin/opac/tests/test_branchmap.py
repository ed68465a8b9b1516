"""The schematic map of the libraries (no tiles, no outside requests)."""

from wenjin.opac.branchmap import MAX_HEIGHT, PADDING, WIDTH, Place, branch_map

PLACES = [
    Place("YX", "越秀区图书馆", 23.1291, 113.2644, True),
    Place("YX-GT", "光塔街分馆", 23.1250, 113.2580, False),
    Place("HZ", "海珠区图书馆", 23.0960, 113.3170, True),
]


def test_points_keep_north_up_and_west_left_inside_the_box():
    drawn = branch_map(PLACES)
    by_code = {point.code: point for point in drawn.points}
    assert by_code["HZ"].x > by_code["YX"].x > by_code["YX-GT"].x  # HZ is east
    assert by_code["HZ"].y > by_code["YX"].y  # HZ is south
    for point in drawn.points:
        assert PADDING <= point.x <= WIDTH - PADDING
        assert PADDING <= point.y <= drawn.height - PADDING
    assert drawn.height <= MAX_HEIGHT
    assert by_code["YX"].is_open and not by_code["YX-GT"].is_open


def test_one_place_is_not_a_map():
    assert branch_map(PLACES[:1]) is None
    assert branch_map([]) is None


def test_places_at_the_same_spot_do_not_divide_by_zero():
    same = [Place("A", "甲", 23.1, 113.2, True), Place("B", "乙", 23.1, 113.2, False)]
    drawn = branch_map(same)
    assert {(p.x, p.y) for p in drawn.points} == {(PADDING, PADDING)}
