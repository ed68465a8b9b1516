"""A record's index entry."""

from wenjin.search.documents import document_for


def test_document_fields():
    document = document_for(
        title="紅樓夢",
        authors=["曹雪芹"],
        subjects=["章回小说"],
        isbns=["9787020002207"],  # a record's ISBNs are normalised ISBN-13s
        call_numbers=["I242.4/12", "I242.4/12"],
        summary="中国古典四大名著之一",
    )
    assert "红楼" in document.title.split() and "楼梦" in document.title.split()
    assert "曹雪" in document.author.split()
    assert {"hongloumeng", "hlm", "caoxueqin", "cxq"} <= set(document.pinyin.split())
    assert document.isbn.split() == ["9787020002207", "702000220x"]
    assert document.callno == "i242.4/12"
    assert "名著" in document.notes.split()


def test_pinyin_follows_the_folded_text():
    # Kangxi radicals fold to Chinese characters (⼈⼤ → 人大), so the title has pinyin.
    assert {"ren", "da", "renda", "rd"} <= set(document_for(title="⼈⼤").pinyin.split())
    western = document_for(title="Harry Potter", authors=["Rowling, J. K."])
    assert western.pinyin == ""
    assert western.phrase == " | harry potter | rowling j k | "
