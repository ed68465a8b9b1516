"""The shelf finder's plan, worked out from locations without a database."""

from wenjin.opac.floorplan import Spot, chain_of, floor_plan

# 3楼 → B区 (drawn) → 第12排 (drawn) → 第4层 (not drawn); A区 beside it; 1楼 elsewhere.
SPOTS = [
    Spot(1, None, "floor", "3楼"),
    Spot(2, 1, "area", "B区", 20, 20, 200, 260),
    Spot(3, 2, "shelf", "第12排", 40, 120, 160, 8),
    Spot(4, 3, "layer", "第4层"),
    Spot(5, 1, "area", "A区", 240, 20, 200, 260),
    Spot(6, 5, "shelf", "第1排", 260, 40, 160, 8),
    Spot(7, None, "floor", "1楼"),
    Spot(8, 7, "area", "C区", 20, 20, 900, 900),
]


def test_the_plan_marks_the_nearest_drawn_location_and_says_the_path_in_words():
    plan = floor_plan(SPOTS, 4)
    assert plan is not None
    assert plan.path_text == "3楼 B区 第12排 第4层"
    assert plan.floor_name == "3楼"
    assert plan.marked is not None and plan.marked.name == "第12排"
    marked = [shape.name for shape in plan.shapes if shape.marked]
    assert marked == ["第12排"]
    assert [shape.name for shape in plan.shapes if shape.contains_mark] == ["B区"]


def test_the_plan_shows_only_the_copys_floor_areas_first():
    plan = floor_plan(SPOTS, 4)
    names = [shape.name for shape in plan.shapes]
    assert "C区" not in names  # another floor
    assert names[:2] == ["B区", "A区"] and set(names[2:]) == {"第12排", "第1排"}
    # The drawing fits every shape with a margin.
    assert plan.width == 440 + 10 and plan.height == 280 + 10
    assert plan.view_box == "0 0 450 290"


def test_a_location_without_any_drawing_still_has_its_path_in_words():
    spots = [Spot(1, None, "shelf", "书架")]
    plan = floor_plan(spots, 1)
    assert plan.shapes == () and plan.marked is None and plan.path_text == "书架"


def test_an_unknown_location_has_no_plan():
    assert floor_plan(SPOTS, 99) is None


def test_a_parent_loop_in_bad_data_ends_the_chain_instead_of_hanging():
    spots = {1: Spot(1, 2, "area", "甲"), 2: Spot(2, 1, "area", "乙")}
    assert [spot.name for spot in chain_of(spots, 1)] == ["乙", "甲"]


def test_a_zero_sized_location_is_not_drawn():
    assert not Spot(1, None, "shelf", "x", 0, 0, 0, 5).drawn
    assert Spot(1, None, "shelf", "x", 0, 0, 3, 5).drawn


def test_area_labels_sit_above_their_area_clear_of_its_shelves():
    plan = floor_plan(SPOTS, 4)
    area = next(shape for shape in plan.shapes if shape.name == "B区")
    shelf = next(shape for shape in plan.shapes if shape.name == "第12排")
    assert area.label_y < area.y < shelf.y
    assert area.label_y >= 14  # not clipped at the plan's top
