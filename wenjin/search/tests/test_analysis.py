"""Each analysis step: folding, segmentation plus bigrams, pinyin and initials, ISBNs."""

from wenjin.search.analysis import (
    bigrams,
    fold,
    index_terms,
    isbn_terms,
    phrase_text,
    pinyin_terms,
    query_terms,
    sort_key,
    suggestion_keys,
    suggestion_prefix,
)


def test_folding_traditional_width_and_case():
    assert fold("中國古代建築") == "中国古代建筑"
    assert fold("ＡＢＣ１２３") == "abc123"
    assert fold("The Red CHAMBER") == "the red chamber"


def test_any_contiguous_run_of_characters_matches():
    indexed = set(index_terms("中国三大教及传说"))
    assert set(query_terms("三大教")) <= indexed
    assert set(query_terms("教及传")) <= indexed
    assert set(query_terms("中國三大教")) <= indexed  # traditional query, simplified title
    assert not set(query_terms("三教大")) <= indexed


def test_jieba_words_are_indexed_too():
    terms = index_terms("岭南文化十讲")
    assert "岭南" in terms and "文化" in terms and "岭南文" not in terms


def test_latin_words_numbers_and_single_characters():
    assert index_terms("Red Chamber, 2nd ed. 1999") == ["red", "chamber", "2nd", "ed", "1999"]
    assert index_terms("O'Brien 2.5") == ["o", "brien", "2", "5"]
    assert "梦" in index_terms("红楼梦")
    assert query_terms("红") == ["红"]
    assert bigrams("红楼梦") == ["红楼", "楼梦"]


def test_pinyin_full_spaced_and_initials():
    terms = pinyin_terms("红楼梦")
    assert {"hong", "lou", "meng", "hongloumeng", "hlm"} <= set(terms)
    assert "hongloumeng" in pinyin_terms("紅樓夢")  # traditional folds first


def test_heteronyms_are_read_by_phrase():
    assert "chongqing" in pinyin_terms("重庆")
    bank = pinyin_terms("银行行长")
    assert "yinhanghangzhang" in bank and "yhhz" in bank


def test_isbn_10_and_13_are_equivalent():
    assert isbn_terms(["978-7-02-000220-7"]) == ["9787020002207", "702000220x"]
    assert isbn_terms(["7-02-000220-X"]) == ["9787020002207", "702000220x"]
    assert isbn_terms(["not an isbn"]) == []


def test_sort_key_files_by_pinyin_with_tones_and_latin_words_among_them():
    assert sort_key("紅樓夢") == "hong2 lou2 meng4"
    assert sort_key("重庆银行") == "chong2 qing4 yin2 hang2"  # heteronyms by phrase
    titles = ["中国通史", "Zebra", "阿Q正传", "apple", "白鹿原", "红楼梦"]
    assert sorted(titles, key=sort_key) == [
        "阿Q正传",
        "apple",
        "白鹿原",
        "红楼梦",
        "Zebra",
        "中国通史",
    ]
    assert len(sort_key("很" * 1000)) == 255
    assert sort_key("Война и мир") == "война и мир"  # other scripts: their folded text


def test_suggestion_keys_fold_and_romanise():
    assert suggestion_keys("紅樓夢") == ["红楼梦", "hongloumeng", "hlm"]
    assert suggestion_keys("Harry Potter") == ["harrypotter"]
    assert suggestion_keys("Python编程") == ["python编程", "pythonbiancheng", "pythonbc"]
    assert suggestion_keys("：、") == []
    assert suggestion_prefix("Hong Lou") == "honglou"
    assert suggestion_prefix("ＨＬＭ") == "hlm"  # full-width folded


def test_phrase_text_runs_chinese_together():
    assert phrase_text("紅樓 夢：the  Story") == "红楼梦 the story"
    assert phrase_text("Python 编程 入门") == "python 编程入门"
