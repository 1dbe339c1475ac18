# ruff: noqa: E501  (the documents are prose; wrapping them would only hurt reading)
"""Write tests/data/search/corpus.jsonl: the judged search corpus, deterministically.

About 120 hand-written documents of the city portal, its departments and wards
(procedures, legal documents, news, answers to citizens, announcements, pages),
plus template families (one per ward or month) that bring it to about 300. The
judged queries in tests/data/search/judged.jsonl name these ids, so ids and content
must stay stable: add documents at the end of a list, do not renumber.

    PYTHONPATH=. .venv/bin/python scripts/make_search_corpus.py [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

# The repository first: scripts/ holds a contracts.py that would shadow the package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.search.documents import TYPES, SearchDoc, fold

OUT = Path("tests/data/search/corpus.jsonl")
VN = timezone(timedelta(hours=7))

CATEGORIES = {
    "thu-tuc-hanh-chinh": "Thủ tục hành chính",
    "van-ban": "Văn bản chỉ đạo, điều hành",
    "thong-bao": "Thông báo",
    "hoi-dap": "Hỏi đáp",
    "gioi-thieu": "Giới thiệu",
    "giao-thong": "Giao thông",
    "moi-truong": "Môi trường",
    "giao-duc": "Giáo dục",
    "y-te": "Y tế",
    "van-hoa-du-lich": "Văn hóa - Du lịch",
    "xay-dung-do-thi": "Xây dựng - Đô thị",
    "kinh-te": "Kinh tế",
    "an-sinh-xa-hoi": "An sinh xã hội",
    "cai-cach-hanh-chinh": "Cải cách hành chính",
    "chuyen-doi-so": "Chuyển đổi số",
    "tin-hoat-dong": "Tin hoạt động",
}


@dataclass(frozen=True)
class D:
    """One document as written here; `build` turns it into a SearchDoc."""

    id: str  # "c001" (article) or "q001" (answer); family ids start with "t"
    site: str
    type: str
    category: str
    date: str  # YYYY-MM-DD, Hanoi time
    title: str
    summary: str
    body: str
    keywords: str = ""


def slugify(text: str) -> str:
    return "-".join(w for w in "".join(c if c.isalnum() else " " for c in fold(text)).split())


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def build(d: D) -> SearchDoc:
    number = int("".join(c for c in d.id if c.isdigit()))
    if d.type == "answer":
        doc_id, path = f"answer:{d.id}", f"/hoi-dap/{d.date[:4]}{number:04d}"
    else:
        doc_id = f"article:{d.id}"
        path = f"/tin-tuc/{slugify(d.title)[:80].rstrip('-')}-{d.id}"
    day = datetime.fromisoformat(d.date)
    # A working-hours time that varies by document, so no two share a timestamp.
    published = day.replace(hour=7 + number % 10, minute=(number * 7) % 60, tzinfo=VN)
    return SearchDoc(
        id=doc_id,
        site=d.site,
        type=d.type,
        title=nfc(d.title),
        summary=nfc(d.summary),
        body=nfc(d.body),
        path=path,
        category=d.category,
        category_name=CATEGORIES[d.category],
        language="vi",
        published_at=published,
        keywords=nfc(d.keywords),
    )


# --- procedures (thủ tục hành chính) -------------------------------------------------------------

TT = "thu-tuc-hanh-chinh"
CORE: list[D] = [
    D(
        "c001",
        "hanoi",
        "page",
        TT,
        "2025-07-10",
        "Thủ tục cấp giấy phép xây dựng nhà ở riêng lẻ",
        "Trình tự, hồ sơ, thời hạn giải quyết thủ tục cấp giấy phép xây dựng đối với nhà ở riêng lẻ do Ủy ban nhân dân cấp xã thực hiện từ ngày 01/7/2025.",
        "Chủ đầu tư nộp hồ sơ đề nghị cấp giấy phép xây dựng nhà ở riêng lẻ tại Bộ phận Một cửa của Ủy ban nhân dân xã, phường nơi có công trình hoặc nộp trực tuyến trên Cổng Dịch vụ công. Hồ sơ gồm đơn đề nghị cấp giấy phép xây dựng, bản sao giấy tờ chứng minh quyền sử dụng đất và hai bộ bản vẽ thiết kế xây dựng. Thời hạn giải quyết là 15 ngày kể từ ngày nhận đủ hồ sơ hợp lệ. Lệ phí cấp giấy phép xây dựng nhà ở riêng lẻ là 75.000 đồng một giấy phép.",
    ),
    D(
        "c002",
        "hanoi",
        "page",
        TT,
        "2025-07-10",
        "Thủ tục điều chỉnh, gia hạn giấy phép xây dựng",
        "Hướng dẫn điều chỉnh giấy phép xây dựng khi thay đổi thiết kế và gia hạn giấy phép xây dựng khi công trình chưa khởi công.",
        "Trước thời điểm giấy phép xây dựng hết hiệu lực khởi công 30 ngày, nếu công trình chưa được khởi công thì chủ đầu tư phải đề nghị gia hạn. Mỗi giấy phép xây dựng chỉ được gia hạn tối đa hai lần, mỗi lần 12 tháng. Trường hợp thay đổi quy mô, chiều cao hoặc công năng công trình, chủ đầu tư phải đề nghị điều chỉnh giấy phép trước khi thi công phần thay đổi.",
    ),
    D(
        "c003",
        "soxaydung",
        "page",
        TT,
        "2024-05-20",
        "Thủ tục cấp giấy phép xây dựng có thời hạn",
        "Giấy phép xây dựng có thời hạn cấp cho công trình, nhà ở riêng lẻ trong khu vực đã có quy hoạch nhưng chưa thực hiện.",
        "Giấy phép xây dựng có thời hạn được cấp cho công trình nằm trong khu vực đã có quy hoạch phân khu được phê duyệt và công bố nhưng chưa có kế hoạch thực hiện. Thời hạn tồn tại của công trình ghi trong giấy phép phù hợp với kế hoạch thực hiện quy hoạch. Khi Nhà nước thu hồi đất, chủ đầu tư tự phá dỡ công trình và không được bồi thường phần xây dựng theo giấy phép có thời hạn.",
    ),
    D(
        "c004",
        "hadong",
        "page",
        TT,
        "2023-03-15",
        "Hướng dẫn cấp giấy phép xây dựng nhà ở riêng lẻ tại UBND quận Hà Đông",
        "Hướng dẫn cũ áp dụng khi thẩm quyền cấp phép còn thuộc UBND cấp quận; từ ngày 01/7/2025 thực hiện tại UBND phường.",
        "Hộ gia đình, cá nhân xây dựng nhà ở riêng lẻ trên địa bàn quận Hà Đông nộp hồ sơ tại Bộ phận Tiếp nhận và trả kết quả của UBND quận. Phòng Quản lý đô thị thẩm định hồ sơ, kiểm tra thực địa trong 7 ngày làm việc. Thời hạn cấp giấy phép xây dựng là 15 ngày. Nội dung hướng dẫn này đã được thay thế khi chính quyền địa phương hai cấp đi vào hoạt động.",
    ),
    D(
        "c005",
        "hanoi",
        "page",
        TT,
        "2025-03-05",
        "Thủ tục cấp đổi giấy phép lái xe",
        "Từ ngày 01/3/2025, việc cấp đổi giấy phép lái xe do cơ quan Công an thực hiện; người dân có thể nộp hồ sơ trực tuyến trên Cổng Dịch vụ công hoặc ứng dụng VNeID.",
        "Người có giấy phép lái xe hết hạn, bị hỏng hoặc có thay đổi thông tin nộp hồ sơ cấp đổi tại Phòng Cảnh sát giao thông Công an thành phố Hà Nội hoặc nộp trực tuyến. Hồ sơ gồm tờ khai đề nghị cấp đổi, giấy khám sức khỏe của người lái xe và bản chính giấy phép lái xe cũ. Thời hạn cấp đổi không quá 5 ngày làm việc. Lệ phí cấp đổi giấy phép lái xe là 135.000 đồng, nộp trực tuyến được giảm theo quy định.",
    ),
    D(
        "c006",
        "hanoi",
        "page",
        TT,
        "2025-03-05",
        "Thủ tục cấp lại giấy phép lái xe bị mất",
        "Người bị mất giấy phép lái xe còn thời hạn hoặc quá hạn dưới 12 tháng được cấp lại mà không phải sát hạch.",
        "Giấy phép lái xe bị mất còn thời hạn sử dụng hoặc quá thời hạn dưới 12 tháng, có hồ sơ gốc phù hợp, thì được xét cấp lại không phải sát hạch. Người đề nghị nộp tờ khai và giấy khám sức khỏe tại cơ quan Công an cấp giấy phép lái xe. Sau 5 ngày làm việc, nếu không phát hiện giấy phép đang bị cơ quan chức năng thu giữ thì được cấp lại.",
    ),
    D(
        "c007",
        "hanoi",
        "page",
        TT,
        "2023-06-12",
        "Cấp đổi giấy phép lái xe tại Sở Giao thông vận tải Hà Nội",
        "Hướng dẫn đổi giấy phép lái xe do ngành Giao thông vận tải cấp, áp dụng trước ngày 01/3/2025.",
        "Người dân đổi giấy phép lái xe nộp hồ sơ tại các điểm tiếp nhận của Sở Giao thông vận tải Hà Nội hoặc trên Cổng Dịch vụ công trực tuyến mức độ 4. Giấy phép lái xe bằng giấy bìa phải đổi sang thẻ vật liệu PET theo lộ trình. Thời gian trả kết quả là 5 ngày làm việc. Từ ngày 01/3/2025 nhiệm vụ này chuyển sang Bộ Công an.",
    ),
    D(
        "c008",
        "hanoi",
        "page",
        TT,
        "2025-07-08",
        "Thủ tục đăng ký kết hôn",
        "Đăng ký kết hôn giữa công dân Việt Nam cư trú trong nước thực hiện tại UBND cấp xã nơi cư trú của một trong hai bên, trả kết quả ngay trong ngày.",
        "Hai bên nam, nữ nộp tờ khai đăng ký kết hôn theo mẫu và xuất trình giấy tờ tùy thân tại Ủy ban nhân dân xã, phường nơi một trong hai bên cư trú. Trường hợp hồ sơ đầy đủ, công chức tư pháp - hộ tịch ghi vào Sổ hộ tịch và hai bên cùng ký vào Giấy chứng nhận kết hôn ngay trong ngày. Đăng ký kết hôn không mất lệ phí. Người dân có thể nộp hồ sơ đăng ký kết hôn trực tuyến trên Cổng Dịch vụ công quốc gia.",
    ),
    D(
        "c009",
        "sotuphap",
        "page",
        TT,
        "2025-07-08",
        "Thủ tục đăng ký kết hôn có yếu tố nước ngoài",
        "Đăng ký kết hôn giữa công dân Việt Nam với người nước ngoài được thực hiện tại UBND cấp xã từ ngày 01/7/2025.",
        "Hồ sơ đăng ký kết hôn có yếu tố nước ngoài gồm tờ khai, giấy xác nhận tình trạng hôn nhân của người nước ngoài đã được hợp pháp hóa lãnh sự, giấy xác nhận của tổ chức y tế về việc không mắc bệnh tâm thần và bản sao hộ chiếu. Thời hạn giải quyết là 10 ngày làm việc. Lệ phí do Hội đồng nhân dân Thành phố quy định.",
    ),
    D(
        "c010",
        "sotuphap",
        "page",
        TT,
        "2024-09-18",
        "Thủ tục cấp giấy xác nhận tình trạng hôn nhân",
        "Giấy xác nhận tình trạng hôn nhân dùng để đăng ký kết hôn hoặc mục đích khác, cấp tại UBND cấp xã nơi thường trú.",
        "Người yêu cầu nộp tờ khai cấp giấy xác nhận tình trạng hôn nhân tại UBND xã, phường nơi thường trú. Trường hợp đã ly hôn hoặc người vợ, chồng đã chết thì xuất trình bản án, quyết định ly hôn hoặc trích lục khai tử. Thời hạn giải quyết là 3 ngày làm việc. Giấy xác nhận có giá trị 6 tháng kể từ ngày cấp.",
    ),
    D(
        "c011",
        "hanoi",
        "page",
        TT,
        "2025-07-08",
        "Thủ tục đăng ký khai sinh",
        "Cha, mẹ có trách nhiệm đăng ký khai sinh cho con trong 60 ngày kể từ ngày sinh tại UBND cấp xã nơi cư trú của cha hoặc mẹ.",
        "Người đi đăng ký khai sinh nộp tờ khai và giấy chứng sinh do cơ sở y tế cấp. Trường hợp không có giấy chứng sinh thì nộp văn bản của người làm chứng xác nhận về việc sinh. Công chức tư pháp - hộ tịch cấp Giấy khai sinh ngay trong ngày và cấp số định danh cá nhân cho trẻ. Đăng ký khai sinh đúng hạn được miễn lệ phí.",
    ),
    D(
        "c012",
        "dean06",
        "page",
        TT,
        "2024-04-02",
        "Liên thông thủ tục đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi",
        "Nhóm thủ tục liên thông giúp cha mẹ chỉ khai một lần trên Cổng Dịch vụ công hoặc VNeID để con được khai sinh, đăng ký thường trú và cấp thẻ bảo hiểm y tế.",
        "Thực hiện Đề án 06, thành phố Hà Nội triển khai liên thông điện tử ba thủ tục đăng ký khai sinh, đăng ký thường trú và cấp thẻ bảo hiểm y tế cho trẻ dưới 6 tuổi. Cha mẹ đăng nhập Cổng Dịch vụ công quốc gia bằng tài khoản định danh điện tử, điền một biểu mẫu và nhận kết quả qua thư điện tử hoặc tại Bộ phận Một cửa. Thời gian giải quyết cả ba thủ tục không quá 5 ngày làm việc.",
    ),
    D(
        "c013",
        "hanoi",
        "page",
        TT,
        "2025-07-08",
        "Thủ tục đăng ký khai tử",
        "Người thân có trách nhiệm đăng ký khai tử trong 15 ngày kể từ ngày người thân mất.",
        "Hồ sơ đăng ký khai tử gồm tờ khai và giấy báo tử hoặc giấy tờ thay thế giấy báo tử. Ủy ban nhân dân cấp xã nơi cư trú cuối cùng của người chết thực hiện đăng ký khai tử và cấp trích lục khai tử ngay trong ngày. Đăng ký khai tử đúng hạn được miễn lệ phí.",
    ),
    D(
        "c014",
        "hanoi",
        "page",
        TT,
        "2024-07-01",
        "Thủ tục cấp thẻ căn cước",
        "Từ ngày 01/7/2024, Luật Căn cước có hiệu lực; công dân đề nghị cấp thẻ căn cước tại Công an cấp xã hoặc Công an thành phố.",
        "Công dân Việt Nam từ đủ 14 tuổi phải làm thủ tục cấp thẻ căn cước; công dân dưới 14 tuổi được cấp theo nhu cầu. Người đề nghị đến cơ quan quản lý căn cước, được thu nhận vân tay, ảnh khuôn mặt và mống mắt. Thẻ căn cước công dân đã cấp vẫn có giá trị sử dụng đến hết thời hạn in trên thẻ. Thời hạn cấp thẻ căn cước là 7 ngày làm việc.",
    ),
    D(
        "c015",
        "hanoi",
        "page",
        TT,
        "2023-02-14",
        "Thủ tục cấp thẻ căn cước công dân gắn chip",
        "Hướng dẫn cấp mới, cấp đổi thẻ căn cước công dân gắn chíp điện tử theo Luật Căn cước công dân năm 2014.",
        "Công dân từ đủ 14 tuổi đến Công an quận, huyện hoặc điểm cấp lưu động để làm thủ tục cấp căn cước công dân gắn chip. Cán bộ thu nhận thông tin, chụp ảnh, lấy vân tay và hẹn trả thẻ trong 7 ngày làm việc. Lệ phí cấp đổi từ chứng minh nhân dân sang căn cước công dân là 30.000 đồng. Hướng dẫn này áp dụng đến ngày 30/6/2024.",
    ),
    D(
        "c016",
        "hanoi",
        "page",
        TT,
        "2025-07-15",
        "Thủ tục đăng ký thường trú",
        "Công dân có chỗ ở hợp pháp đăng ký thường trú tại Công an cấp xã nơi có chỗ ở, có thể nộp trực tuyến.",
        "Hồ sơ đăng ký thường trú gồm tờ khai thay đổi thông tin cư trú và giấy tờ chứng minh chỗ ở hợp pháp. Trường hợp đăng ký vào chỗ ở của người khác thì cần ý kiến đồng ý của chủ hộ hoặc chủ sở hữu. Cơ quan đăng ký cư trú cập nhật thông tin vào Cơ sở dữ liệu về cư trú trong 7 ngày làm việc. Sổ hộ khẩu giấy không còn được sử dụng từ ngày 01/01/2023.",
    ),
    D(
        "c017",
        "hanoi",
        "page",
        TT,
        "2025-07-15",
        "Thủ tục đăng ký tạm trú",
        "Người đến sinh sống tại chỗ ở hợp pháp ngoài nơi thường trú từ 30 ngày trở lên phải đăng ký tạm trú.",
        "Sinh viên, người lao động thuê trọ nộp tờ khai thay đổi thông tin cư trú kèm hợp đồng thuê nhà tại Công an phường, xã nơi tạm trú hoặc qua ứng dụng VNeID. Thời hạn tạm trú tối đa là 2 năm và có thể gia hạn nhiều lần. Thời gian giải quyết là 3 ngày làm việc.",
    ),
    D(
        "c018",
        "hanoi",
        "page",
        TT,
        "2025-08-01",
        "Thủ tục đăng ký thành lập hộ kinh doanh",
        "Cá nhân, thành viên hộ gia đình đăng ký hộ kinh doanh tại UBND cấp xã nơi đặt trụ sở để được cấp Giấy chứng nhận đăng ký hộ kinh doanh.",
        "Người thành lập hộ kinh doanh nộp giấy đề nghị đăng ký hộ kinh doanh, bản sao giấy tờ pháp lý của chủ hộ và biên bản họp thành viên hộ gia đình nếu có. Trong 3 ngày làm việc, cơ quan đăng ký kinh doanh cấp Giấy chứng nhận đăng ký hộ kinh doanh, thường được gọi là giấy phép kinh doanh hộ cá thể. Lệ phí đăng ký là 100.000 đồng, miễn lệ phí khi nộp trực tuyến.",
    ),
    D(
        "c019",
        "sotaichinh",
        "page",
        TT,
        "2025-04-10",
        "Thủ tục đăng ký thành lập doanh nghiệp tư nhân",
        "Hướng dẫn đăng ký doanh nghiệp qua Hệ thống thông tin quốc gia về đăng ký doanh nghiệp, nhận Giấy chứng nhận đăng ký doanh nghiệp trong 3 ngày làm việc.",
        "Người thành lập doanh nghiệp nộp hồ sơ đăng ký doanh nghiệp trực tuyến bằng tài khoản định danh điện tử. Phòng Đăng ký kinh doanh thuộc Sở Tài chính xem xét tính hợp lệ của hồ sơ và cấp Giấy chứng nhận đăng ký doanh nghiệp. Nhiều người vẫn quen gọi giấy chứng nhận này là giấy phép kinh doanh. Doanh nghiệp phải công bố nội dung đăng ký trên Cổng thông tin quốc gia.",
    ),
    D(
        "c020",
        "socongthuong",
        "page",
        TT,
        "2024-10-22",
        "Thủ tục cấp giấy phép bán lẻ rượu",
        "Thương nhân kinh doanh bán lẻ rượu có độ cồn từ 5,5 độ trở lên phải có giấy phép bán lẻ rượu.",
        "Hồ sơ đề nghị cấp giấy phép bán lẻ rượu gồm đơn đề nghị, bản sao Giấy chứng nhận đăng ký doanh nghiệp hoặc hộ kinh doanh và tài liệu chứng minh quyền sử dụng địa điểm kinh doanh. Sở Công Thương thẩm định trong 10 ngày làm việc. Giấy phép có thời hạn 5 năm.",
    ),
    D(
        "c021",
        "sotuphap",
        "page",
        TT,
        "2025-07-20",
        "Thủ tục chứng thực bản sao từ bản chính",
        "Người dân chứng thực bản sao giấy tờ tại UBND cấp xã, Phòng Tư pháp hoặc tổ chức hành nghề công chứng; lệ phí 2.000 đồng một trang.",
        "Người yêu cầu chứng thực xuất trình bản chính và bản sao cần chứng thực. Trường hợp chỉ xuất trình bản chính thì cơ quan chứng thực chụp từ bản chính để thực hiện chứng thực. Lệ phí chứng thực bản sao từ bản chính là 2.000 đồng một trang, từ trang thứ ba trở đi là 1.000 đồng một trang. Kết quả được trả trong ngày, trường hợp nhiều giấy tờ thì không quá 2 ngày làm việc.",
    ),
    D(
        "c022",
        "sotuphap",
        "page",
        TT,
        "2024-06-03",
        "Thủ tục chứng thực chữ ký trong giấy tờ, văn bản",
        "Chứng thực chữ ký là việc cơ quan có thẩm quyền chứng thực chữ ký trong giấy tờ là chữ ký của người yêu cầu.",
        "Người yêu cầu chứng thực chữ ký phải ký trước mặt người thực hiện chứng thực và xuất trình giấy tờ tùy thân còn giá trị. Lệ phí chứng thực chữ ký là 10.000 đồng một trường hợp. Không chứng thực chữ ký trong giấy tờ có nội dung trái pháp luật hoặc đạo đức xã hội.",
    ),
    D(
        "c023",
        "sotuphap",
        "page",
        TT,
        "2025-02-11",
        "Thủ tục cấp phiếu lý lịch tư pháp",
        "Công dân yêu cầu cấp phiếu lý lịch tư pháp số 1, số 2 tại Sở Tư pháp hoặc trực tuyến qua VNeID.",
        "Người yêu cầu cấp phiếu lý lịch tư pháp nộp tờ khai và bản chụp giấy tờ tùy thân. Từ năm 2025, Hà Nội thí điểm cấp phiếu lý lịch tư pháp trên ứng dụng VNeID, không cần xuất trình giấy tờ. Thời hạn cấp phiếu không quá 10 ngày. Lệ phí là 200.000 đồng một lần, sinh viên và người có công được giảm.",
    ),
    D(
        "c024",
        "hanoi",
        "page",
        TT,
        "2025-01-06",
        "Thủ tục đăng ký tham gia bảo hiểm xã hội tự nguyện",
        "Công dân từ đủ 15 tuổi không thuộc đối tượng tham gia bảo hiểm xã hội bắt buộc được đăng ký tham gia bảo hiểm xã hội tự nguyện.",
        "Người tham gia nộp tờ khai tham gia bảo hiểm xã hội tự nguyện tại cơ quan bảo hiểm xã hội, đại lý thu hoặc trực tuyến. Người tham gia được chọn mức thu nhập làm căn cứ đóng và phương thức đóng hằng tháng, 3 tháng, 6 tháng hoặc 12 tháng. Nhà nước hỗ trợ một phần tiền đóng cho người thuộc hộ nghèo, hộ cận nghèo. Sổ bảo hiểm xã hội được cấp trong 5 ngày làm việc.",
    ),
    D(
        "c025",
        "hanoi",
        "page",
        TT,
        "2025-01-06",
        "Thủ tục cấp lại, đổi thẻ bảo hiểm y tế",
        "Người có thẻ bảo hiểm y tế bị mất, hỏng hoặc thay đổi thông tin được cấp lại, đổi thẻ tại cơ quan bảo hiểm xã hội.",
        "Người tham gia bảo hiểm y tế có thể sử dụng căn cước hoặc ứng dụng VNeID thay cho thẻ bảo hiểm y tế giấy khi đi khám chữa bệnh. Trường hợp cần thẻ giấy, người dân nộp tờ khai đề nghị cấp lại, đổi thẻ tại Bảo hiểm xã hội cơ sở. Thời hạn cấp lại là 7 ngày làm việc. Người tham gia không phải nộp phí cấp lại thẻ.",
    ),
    D(
        "c026",
        "hanoi",
        "page",
        TT,
        "2024-08-12",
        "Thủ tục giải quyết hưởng chế độ thai sản",
        "Lao động nữ sinh con, người lao động nhận nuôi con nuôi dưới 6 tháng tuổi được hưởng chế độ thai sản của bảo hiểm xã hội.",
        "Người lao động nộp bản sao giấy khai sinh của con cho người sử dụng lao động. Người sử dụng lao động lập danh sách đề nghị và nộp cho cơ quan bảo hiểm xã hội. Thời hạn giải quyết là 6 ngày làm việc. Mức hưởng một tháng bằng 100% mức bình quân tiền lương tháng đóng bảo hiểm xã hội của 6 tháng liền kề trước khi nghỉ việc.",
    ),
    D(
        "c027",
        "sonnmt",
        "page",
        TT,
        "2025-08-05",
        "Thủ tục cấp giấy chứng nhận quyền sử dụng đất lần đầu",
        "Hộ gia đình, cá nhân đang sử dụng đất đề nghị cấp giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất lần đầu.",
        "Người sử dụng đất nộp đơn đăng ký đất đai và giấy tờ về quyền sử dụng đất tại Bộ phận Một cửa UBND cấp xã hoặc Văn phòng đăng ký đất đai. Thời hạn giải quyết không quá 20 ngày làm việc, không kể thời gian người sử dụng đất thực hiện nghĩa vụ tài chính. Giấy chứng nhận theo mẫu mới có mã QR để tra cứu thông tin thửa đất.",
    ),
    D(
        "c028",
        "sonnmt",
        "page",
        TT,
        "2025-08-05",
        "Thủ tục đăng ký biến động đất đai khi chuyển nhượng, tặng cho",
        "Khi chuyển nhượng, tặng cho, thừa kế quyền sử dụng đất, người sử dụng đất phải đăng ký biến động trong 30 ngày.",
        "Hồ sơ gồm đơn đăng ký biến động, hợp đồng chuyển nhượng hoặc tặng cho đã công chứng, chứng thực và bản gốc giấy chứng nhận đã cấp. Văn phòng đăng ký đất đai chỉnh lý biến động hoặc cấp giấy chứng nhận mới trong 10 ngày làm việc. Người chuyển nhượng nộp thuế thu nhập cá nhân và lệ phí trước bạ theo quy định.",
    ),
    D(
        "c029",
        "hanoi",
        "page",
        TT,
        "2025-07-25",
        "Thủ tục hưởng trợ cấp xã hội hằng tháng",
        "Người cao tuổi, người khuyết tật, trẻ em mồ côi thuộc diện bảo trợ xã hội được hưởng trợ cấp xã hội hằng tháng.",
        "Đối tượng hoặc người giám hộ nộp tờ khai đề nghị trợ giúp xã hội tại UBND cấp xã nơi cư trú. Trong 10 ngày làm việc, Hội đồng xét duyệt xem xét và Chủ tịch UBND cấp xã quyết định trợ cấp. Mức chuẩn trợ cấp xã hội của Hà Nội là 650.000 đồng một tháng, nhân với hệ số theo từng đối tượng.",
    ),
    D(
        "c030",
        "ttpvhcc",
        "page",
        TT,
        "2025-09-01",
        "Hướng dẫn nộp hồ sơ thủ tục hành chính trực tuyến trên Cổng Dịch vụ công quốc gia",
        "Các bước đăng nhập bằng tài khoản định danh điện tử VNeID, chọn thủ tục, nộp hồ sơ và thanh toán lệ phí trực tuyến.",
        "Người dân truy cập Cổng Dịch vụ công quốc gia, đăng nhập bằng tài khoản định danh điện tử mức độ 2. Chọn thủ tục hành chính cần thực hiện, chọn cơ quan giải quyết là sở, ngành hoặc UBND xã, phường của Hà Nội. Điền tờ khai điện tử, đính kèm bản chụp giấy tờ và thanh toán phí, lệ phí trực tuyến. Kết quả được trả bản điện tử vào kho dữ liệu cá nhân và bản giấy qua dịch vụ bưu chính nếu có yêu cầu.",
    ),
    D(
        "c031",
        "hoankiem",
        "page",
        TT,
        "2025-07-03",
        "Danh mục TTHC tiếp nhận tại Bộ phận Một cửa phường Hoàn Kiếm",
        "Bộ phận Một cửa phường Hoàn Kiếm tiếp nhận 312 TTHC thuộc thẩm quyền cấp xã, từ hộ tịch, chứng thực đến đất đai, xây dựng.",
        "Từ ngày 01/7/2025, Bộ phận Một cửa phường Hoàn Kiếm đặt tại số 126 Hàng Trống tiếp nhận và trả kết quả TTHC cho người dân, doanh nghiệp. Danh mục gồm các TTHC lĩnh vực hộ tịch, chứng thực, đất đai, xây dựng, đăng ký kinh doanh, bảo trợ xã hội. Người dân có thể tra cứu tình trạng hồ sơ bằng mã QR trên phiếu hẹn. Thời gian làm việc từ thứ Hai đến sáng thứ Bảy.",
    ),
    D(
        "c032",
        "hanoi",
        "page",
        TT,
        "2025-07-25",
        "Thủ tục đăng ký nhận cha, mẹ, con",
        "Việc nhận cha, mẹ, con giữa công dân Việt Nam cư trú trong nước thực hiện tại UBND cấp xã.",
        "Người yêu cầu nộp tờ khai đăng ký nhận cha, mẹ, con và chứng cứ chứng minh quan hệ cha con hoặc mẹ con như văn bản giám định ADN. Trong 3 ngày làm việc, nếu thấy việc nhận cha, mẹ, con là đúng và không có tranh chấp, công chức tư pháp - hộ tịch ghi vào Sổ hộ tịch. Lệ phí do Hội đồng nhân dân Thành phố quy định.",
    ),
    D(
        "c033",
        "hanoi",
        "page",
        TT,
        "2025-03-05",
        "Thủ tục cấp giấy phép lái xe quốc tế",
        "Người có giấy phép lái xe do Việt Nam cấp bằng vật liệu PET còn hạn được cấp giấy phép lái xe quốc tế theo Công ước Viên 1968.",
        "Người đề nghị nộp tờ khai, ảnh chân dung và bản chụp hộ chiếu, giấy phép lái xe quốc gia. Giấy phép lái xe quốc tế có thời hạn không quá 3 năm và không vượt quá thời hạn của giấy phép lái xe quốc gia. Thời hạn cấp là 5 ngày làm việc, lệ phí 135.000 đồng.",
    ),
]

# --- legal documents, directions, announcements ------------------------------------------------

VB, TB = "van-ban", "thong-bao"
CORE += [
    D(
        "c034",
        "hanoi",
        "document",
        VB,
        "2026-02-10",
        "Quyết định số 12/2026/QĐ-UBND quy định về cấp giấy phép xây dựng trên địa bàn thành phố Hà Nội",
        "Quy định phân cấp, ủy quyền cấp giấy phép xây dựng cho UBND cấp xã và Sở Xây dựng theo mô hình chính quyền địa phương hai cấp; thay thế Quyết định số 26/2023/QĐ-UBND.",
        "Ủy ban nhân dân thành phố Hà Nội ban hành Quyết định số 12/2026/QĐ-UBND quy định về cấp giấy phép xây dựng. Theo đó, UBND xã, phường cấp giấy phép xây dựng nhà ở riêng lẻ và công trình cấp III, cấp IV trên địa bàn; Sở Xây dựng cấp giấy phép cho công trình cấp đặc biệt, cấp I, cấp II. Quyết định quy định quy mô, chiều cao tối đa của công trình được cấp giấy phép xây dựng có thời hạn. Quyết định có hiệu lực từ ngày 20/02/2026.",
        "12/2026/QĐ-UBND",
    ),
    D(
        "c035",
        "hanoi",
        "document",
        VB,
        "2023-08-21",
        "Quyết định số 26/2023/QĐ-UBND ban hành Quy định về cấp giấy phép xây dựng",
        "Quy định cấp giấy phép xây dựng và quản lý trật tự xây dựng theo giấy phép trên địa bàn Thành phố; đã được thay thế năm 2026.",
        "Quyết định phân cấp cho UBND các quận, huyện, thị xã cấp giấy phép xây dựng công trình cấp III, cấp IV và nhà ở riêng lẻ. Sở Xây dựng cấp giấy phép xây dựng công trình cấp I, cấp II và công trình tôn giáo. Quyết định này hết hiệu lực khi Quyết định số 12/2026/QĐ-UBND có hiệu lực.",
        "26/2023/QĐ-UBND",
    ),
    D(
        "c036",
        "hanoi",
        "direction",
        VB,
        "2026-01-12",
        "Chỉ thị số 01/CT-UBND về tăng cường quản lý trật tự xây dựng năm 2026",
        "Chủ tịch Ủy ban nhân dân Thành phố yêu cầu các xã, phường xử lý dứt điểm công trình vi phạm trật tự xây dựng, không để phát sinh vi phạm mới.",
        "Chủ tịch UBND xã, phường chịu trách nhiệm trước Chủ tịch UBND Thành phố nếu để xảy ra vi phạm trật tự xây dựng kéo dài trên địa bàn. Công trình xây dựng không phép, sai phép phải được lập biên bản, đình chỉ thi công và cưỡng chế theo quy định. Sở Xây dựng kiểm tra việc cấp giấy phép xây dựng và công khai danh sách công trình vi phạm.",
        "01/CT-UBND",
    ),
    D(
        "c037",
        "dean06",
        "document",
        VB,
        "2025-02-17",
        "Kế hoạch số 45/KH-UBND triển khai Đề án 06 trên địa bàn thành phố Hà Nội năm 2025",
        "Kế hoạch phát triển ứng dụng dữ liệu về dân cư, định danh và xác thực điện tử phục vụ chuyển đổi số quốc gia năm 2025.",
        "Kế hoạch đặt mục tiêu 100% thủ tục hành chính đủ điều kiện được cung cấp dịch vụ công trực tuyến toàn trình, khai thác dữ liệu dân cư để cắt giảm giấy tờ. Công an Thành phố chủ trì cấp thẻ căn cước, tài khoản định danh điện tử VNeID cho công dân. Các sở, ngành và UBND cấp xã làm sạch dữ liệu hộ tịch, đất đai, bảo hiểm xã hội.",
        "45/KH-UBND",
    ),
    D(
        "c038",
        "hanoi",
        "document",
        VB,
        "2025-07-04",
        "Quyết định số 3120/QĐ-UBND công bố danh mục thủ tục hành chính lĩnh vực hộ tịch thuộc thẩm quyền giải quyết của UBND cấp xã",
        "Công bố 28 thủ tục hành chính lĩnh vực hộ tịch thực hiện tại Ủy ban nhân dân xã, phường từ ngày 01/7/2025.",
        "Danh mục gồm các thủ tục hành chính đăng ký khai sinh, đăng ký kết hôn, đăng ký khai tử, đăng ký nhận cha, mẹ, con, cấp giấy xác nhận tình trạng hôn nhân và đăng ký hộ tịch có yếu tố nước ngoài. Sở Tư pháp cập nhật danh mục lên Cơ sở dữ liệu quốc gia về thủ tục hành chính. UBND xã, phường niêm yết công khai tại Bộ phận Một cửa.",
        "3120/QĐ-UBND",
    ),
    D(
        "c039",
        "hanoi",
        "direction",
        VB,
        "2025-12-26",
        "Chỉ thị số 05/CT-UBND về tổ chức Tết Nguyên đán Bính Ngọ năm 2026",
        "Ủy ban nhân dân Thành phố yêu cầu chăm lo Tết cho người có công, hộ nghèo, bảo đảm an ninh trật tự và bình ổn thị trường dịp Tết Bính Ngọ.",
        "Các sở, ngành, UBND xã, phường tổ chức thăm hỏi, tặng quà gia đình chính sách, người có hoàn cảnh khó khăn. Không tổ chức đi chúc Tết cấp trên, không dùng ngân sách nhà nước làm quà biếu. Lực lượng công an tăng cường kiểm soát vi phạm nồng độ cồn, đốt pháo. Cán bộ, công chức nghỉ Tết theo thông báo của Thành phố và bảo đảm trực 24/24 giờ.",
        "05/CT-UBND",
    ),
    D(
        "c040",
        "caicachhanhchinh",
        "document",
        VB,
        "2025-12-30",
        "Kế hoạch số 210/KH-UBND về cải cách hành chính năm 2026",
        "Kế hoạch cải cách hành chính Thành phố năm 2026 tập trung cải cách thủ tục hành chính, chuyển đổi số và nâng cao chỉ số hài lòng của người dân.",
        "Năm 2026, Thành phố phấn đấu cắt giảm ít nhất 30% thời gian giải quyết và chi phí tuân thủ thủ tục hành chính. Tỷ lệ hồ sơ nộp trực tuyến đạt trên 80%, hồ sơ giải quyết đúng hạn đạt 98%. Các cơ quan thực hiện số hóa hồ sơ, kết quả giải quyết và tái sử dụng dữ liệu đã số hóa.",
        "210/KH-UBND",
    ),
    D(
        "c041",
        "hanoi",
        "document",
        VB,
        "2025-10-15",
        "Quyết định số 47/2025/QĐ-UBND quy định hạn mức giao đất ở, hạn mức công nhận đất ở",
        "Quy định hạn mức giao đất ở cho hộ gia đình, cá nhân tại các phường từ 50 đến 90 mét vuông, tại các xã từ 80 đến 180 mét vuông.",
        "Quyết định quy định hạn mức giao đất ở, hạn mức công nhận đất ở đối với thửa đất có vườn, ao và diện tích tối thiểu được tách thửa. Thửa đất sau khi tách phải có chiều rộng mặt tiền không nhỏ hơn 3 mét. Quyết định là căn cứ để cấp giấy chứng nhận quyền sử dụng đất lần đầu.",
        "47/2025/QĐ-UBND",
    ),
    D(
        "c042",
        "hanoi",
        "direction",
        VB,
        "2025-11-20",
        "Chỉ thị số 15/CT-UBND về bảo đảm trật tự an toàn giao thông dịp cuối năm 2025 và Tết Nguyên đán",
        "Tăng cường tuần tra, xử lý vi phạm nồng độ cồn, chở quá tải, chống ùn tắc giao thông tại các nút giao trọng điểm.",
        "Công an Thành phố tổ chức cao điểm xử lý vi phạm nồng độ cồn, tốc độ và xe chở hàng quá tải trọng. Sở Xây dựng rà soát, điều chỉnh tổ chức giao thông tại các điểm thường xuyên ùn tắc. UBND xã, phường giải tỏa lấn chiếm vỉa hè, lòng đường, bảo đảm trật tự an toàn giao thông trên địa bàn.",
        "15/CT-UBND",
    ),
    D(
        "c043",
        "soyte",
        "document",
        VB,
        "2024-03-11",
        "Kế hoạch số 88/KH-UBND phòng, chống dịch bệnh sốt xuất huyết năm 2024",
        "Kế hoạch chủ động giám sát, xử lý ổ dịch sốt xuất huyết, tổ chức chiến dịch diệt bọ gậy trên toàn Thành phố.",
        "Sở Y tế chủ trì giám sát ca bệnh, xử lý triệt để ổ dịch trong 48 giờ. UBND các quận, huyện tổ chức ít nhất 3 đợt chiến dịch vệ sinh môi trường, diệt loăng quăng, bọ gậy. Các bệnh viện chuẩn bị đủ giường bệnh, thuốc, dịch truyền để điều trị bệnh nhân sốt xuất huyết.",
        "88/KH-UBND",
    ),
    D(
        "c044",
        "hanoi",
        "document",
        VB,
        "2024-06-25",
        "Quyết định số 1285/QĐ-UBND phê duyệt điều chỉnh cục bộ quy hoạch chi tiết khu đô thị mới Dương Nội, quận Hà Đông",
        "Điều chỉnh chỉ tiêu sử dụng đất một số ô đất giáo dục, cây xanh tại khu đô thị mới Dương Nội, quận Hà Đông.",
        "Điều chỉnh cục bộ nhằm bổ sung quỹ đất xây dựng trường tiểu học và trung học cơ sở, đáp ứng nhu cầu học tập của dân cư khu đô thị. Tổng diện tích khu vực điều chỉnh khoảng 4,2 héc ta. UBND quận Hà Đông tổ chức công bố công khai quy hoạch và cắm mốc giới ngoài thực địa.",
        "1285/QĐ-UBND",
    ),
    D(
        "c045",
        "hanoi",
        "announcement",
        TB,
        "2025-12-22",
        "Thông báo lịch nghỉ Tết Nguyên đán Bính Ngọ năm 2026",
        "Cán bộ, công chức, viên chức Thành phố nghỉ Tết Nguyên đán Bính Ngọ 9 ngày liên tục, từ thứ Bảy ngày 14/02/2026 đến hết Chủ nhật ngày 22/02/2026.",
        "Thực hiện thông báo của Bộ Nội vụ, UBND Thành phố thông báo lịch nghỉ Tết Nguyên đán Bính Ngọ năm 2026. Cán bộ, công chức, viên chức nghỉ từ ngày 14/02/2026 đến hết ngày 22/02/2026, tức từ 27 tháng Chạp năm Ất Tỵ đến hết mùng 6 tháng Giêng năm Bính Ngọ. Các cơ quan bố trí trực để giải quyết công việc liên tục. Bộ phận Một cửa các cấp trở lại tiếp nhận hồ sơ từ thứ Hai ngày 23/02/2026.",
    ),
    D(
        "c046",
        "hanoi",
        "announcement",
        TB,
        "2024-12-18",
        "Thông báo lịch nghỉ Tết Nguyên đán Ất Tỵ năm 2025",
        "Cán bộ, công chức, viên chức nghỉ Tết Nguyên đán Ất Tỵ 9 ngày, từ thứ Bảy ngày 25/01/2025 đến hết Chủ nhật ngày 02/02/2025.",
        "Cán bộ, công chức, viên chức các cơ quan hành chính Thành phố nghỉ Tết Nguyên đán Ất Tỵ từ ngày 25/01/2025 đến hết ngày 02/02/2025. Ngày 27/01/2025 được hoán đổi và làm bù vào thứ Bảy ngày 08/02/2025. Người lao động trong doanh nghiệp nghỉ theo lịch do người sử dụng lao động quyết định, bảo đảm tối thiểu 5 ngày theo Bộ luật Lao động.",
    ),
    D(
        "c047",
        "hanoi",
        "announcement",
        TB,
        "2025-04-02",
        "Thông báo nghỉ lễ Giỗ Tổ Hùng Vương, ngày 30/4 và 1/5 năm 2025",
        "Cán bộ, công chức nghỉ Giỗ Tổ Hùng Vương thứ Hai ngày 07/4/2025 và nghỉ 5 ngày liên tục dịp 30/4, 1/5.",
        "Dịp Giỗ Tổ Hùng Vương mùng 10 tháng 3 âm lịch, cán bộ, công chức nghỉ một ngày vào thứ Hai ngày 07/4/2025. Dịp kỷ niệm 50 năm Ngày Giải phóng miền Nam, thống nhất đất nước và Quốc tế Lao động, cán bộ, công chức nghỉ từ ngày 30/4/2025 đến hết ngày 04/5/2025, làm bù vào thứ Bảy ngày 26/4/2025.",
    ),
    D(
        "c048",
        "vpub",
        "announcement",
        TB,
        "2026-02-26",
        "Thông báo lịch tiếp công dân định kỳ của Chủ tịch UBND Thành phố tháng 3/2026",
        "Chủ tịch Ủy ban nhân dân Thành phố tiếp công dân định kỳ ngày 19/3/2026 tại Trụ sở Tiếp công dân Thành phố, số 1 Ngô Quyền.",
        "Công dân có khiếu nại, tố cáo, kiến nghị, phản ánh đăng ký nội dung tại Trụ sở Tiếp công dân Thành phố trước ngày 12/3/2026. Khi đến tiếp, công dân mang theo căn cước và tài liệu liên quan. Trường hợp nhiều người cùng nội dung thì cử người đại diện không quá 5 người.",
    ),
    D(
        "c049",
        "sogddt",
        "document",
        VB,
        "2025-03-04",
        "Kế hoạch tuyển sinh vào lớp 10 trung học phổ thông năm học 2025-2026",
        "Kỳ thi tuyển sinh vào lớp 10 THPT công lập năm học 2025-2026 thi 3 môn Toán, Ngữ văn, Ngoại ngữ vào ngày 7 và 8/6/2025.",
        "Học sinh đăng ký tối đa 3 nguyện vọng vào các trường THPT công lập, không phân biệt khu vực tuyển sinh. Điểm xét tuyển là tổng điểm ba bài thi. Toàn Thành phố tuyển khoảng 79.000 học sinh vào lớp 10 công lập, chiếm khoảng 62% số học sinh tốt nghiệp trung học cơ sở. Học sinh đăng ký dự tuyển trực tuyến từ ngày 15/4 đến ngày 20/4/2025.",
        "1004/KH-SGDĐT",
    ),
    D(
        "c050",
        "hanoi",
        "document",
        VB,
        "2025-09-30",
        "Quyết định số 58/2025/QĐ-UBND quy định về phân loại, thu gom, vận chuyển chất thải rắn sinh hoạt",
        "Từ năm 2026, hộ gia đình, cá nhân phải phân loại chất thải rắn sinh hoạt tại nguồn thành ba nhóm.",
        "Chất thải rắn sinh hoạt được phân thành chất thải có khả năng tái chế, chất thải thực phẩm và chất thải rắn sinh hoạt khác. UBND xã, phường quy định thời gian, địa điểm thu gom phù hợp với từng khu dân cư. Hộ gia đình không phân loại hoặc bỏ rác không đúng nơi quy định bị xử phạt theo quy định của pháp luật về bảo vệ môi trường.",
        "58/2025/QĐ-UBND",
    ),
    D(
        "c051",
        "hanoi",
        "direction",
        VB,
        "2024-09-16",
        "Chỉ thị số 08/CT-UBND về tăng cường công tác phòng cháy chữa cháy đối với nhà ở riêng lẻ kết hợp sản xuất, kinh doanh",
        "Yêu cầu rà soát toàn bộ nhà ở kết hợp kinh doanh, chung cư mini, bảo đảm lối thoát nạn thứ hai và thiết bị báo cháy.",
        "Sau vụ cháy chung cư mini tại Khương Hạ, Ủy ban nhân dân Thành phố chỉ đạo kiểm tra an toàn PCCC đối với nhà ở riêng lẻ kết hợp kinh doanh. Hộ gia đình phải trang bị bình chữa cháy, thiết bị báo cháy và có lối thoát nạn thứ hai qua ban công, mái. Cơ sở không bảo đảm điều kiện phòng cháy chữa cháy bị tạm đình chỉ hoạt động.",
        "08/CT-UBND",
    ),
    D(
        "c052",
        "hanoi",
        "direction",
        VB,
        "2025-11-05",
        "Công văn về việc tạm dừng cấp phép đào đường, hè phố dịp cuối năm và Tết Nguyên đán Bính Ngọ",
        "Tạm dừng cấp phép thi công đào đường, hè phố trên các tuyến phố chính từ ngày 15/12/2025 đến ngày 28/02/2026.",
        "Để bảo đảm giao thông thông suốt dịp cuối năm, Ủy ban nhân dân Thành phố giao Sở Xây dựng tạm dừng cấp phép đào đường, hè phố. Các công trình đang thi công phải hoàn trả mặt đường trước ngày 15/12/2025. Trường hợp khắc phục sự cố cấp điện, cấp nước khẩn cấp thì được thi công nhưng phải hoàn trả ngay.",
    ),
    D(
        "c053",
        "vpub",
        "announcement",
        TB,
        "2025-10-08",
        "Thông báo kết luận của Chủ tịch UBND Thành phố về giải pháp chống ùn tắc giao thông khu vực Hà Đông",
        "Giao Sở Xây dựng tổ chức lại giao thông trục Quang Trung - Trần Phú, đẩy nhanh tiến độ cầu vượt nút giao Phùng Hưng.",
        "Khu vực phường Hà Đông, phường Kiến Hưng thường xuyên ùn tắc vào giờ cao điểm trên trục Quang Trung - Trần Phú. Chủ tịch UBND Thành phố yêu cầu tăng tần suất tuyến đường sắt đô thị Cát Linh - Hà Đông giờ cao điểm, bổ sung tuyến xe buýt gom. Công an Thành phố tăng cường lực lượng phân luồng tại các nút giao Nguyễn Trãi - Khuất Duy Tiến và Quang Trung - Lê Trọng Tấn.",
    ),
    D(
        "c054",
        "sogddt",
        "announcement",
        TB,
        "2025-05-10",
        "Thông báo tuyển sinh trực tuyến vào lớp 1, lớp 6 năm học 2025-2026",
        "Cha mẹ học sinh đăng ký tuyển sinh trực tuyến lớp 1 từ ngày 1 đến ngày 3/7/2025 và lớp 6 từ ngày 4 đến ngày 6/7/2025.",
        "Tuyển sinh vào lớp 1 và lớp 6 các trường công lập thực hiện theo phương thức xét tuyển, đúng tuyến theo địa bàn cư trú. Cha mẹ học sinh sử dụng mã học sinh và số định danh cá nhân để đăng ký trên hệ thống tuyển sinh đầu cấp của Thành phố. Trường hợp không đăng ký trực tuyến được, cha mẹ nộp hồ sơ trực tiếp tại trường.",
    ),
    D(
        "c055",
        "hoankiem",
        "announcement",
        TB,
        "2025-09-15",
        "Thông báo thu phí sử dụng tạm thời một phần hè phố tại phường Hoàn Kiếm",
        "Hộ kinh doanh sử dụng tạm thời một phần hè phố để trông giữ xe, kinh doanh phải được cấp phép và nộp phí theo quy định.",
        "UBND phường Hoàn Kiếm thông báo tiếp tục thu phí sử dụng tạm thời một phần hè phố trên các tuyến phố trong khu phố cổ. Mức phí từ 20.000 đến 40.000 đồng một mét vuông một tháng tùy vị trí tuyến phố. Hộ kinh doanh phải để lại ít nhất 1,5 mét hè phố dành cho người đi bộ.",
    ),
    D(
        "c056",
        "ttpvhcc",
        "announcement",
        TB,
        "2026-03-20",
        "Thông báo tạm dừng tiếp nhận hồ sơ trực tiếp để nâng cấp Hệ thống thông tin giải quyết thủ tục hành chính",
        "Ngày 28 và 29/3/2026, các điểm tiếp nhận chỉ tiếp nhận hồ sơ trực tuyến để nâng cấp hệ thống.",
        "Trung tâm Phục vụ hành chính công Thành phố thông báo tạm dừng tiếp nhận hồ sơ trực tiếp trong hai ngày để chuyển đổi Hệ thống thông tin giải quyết thủ tục hành chính. Hồ sơ trực tuyến vẫn được tiếp nhận bình thường, thời hạn giải quyết được tính từ ngày làm việc tiếp theo. Trung tâm xin lỗi người dân, doanh nghiệp vì sự bất tiện.",
    ),
    D(
        "c057",
        "donganh",
        "announcement",
        TB,
        "2025-11-18",
        "Thông báo đấu giá quyền sử dụng đất ở tại xã Đông Anh",
        "Đấu giá 42 thửa đất ở tại khu đấu giá thôn Lộc Hà, diện tích từ 90 đến 120 mét vuông mỗi thửa.",
        "UBND xã Đông Anh thông báo đấu giá quyền sử dụng đất ở tại khu X4 thôn Lộc Hà. Giá khởi điểm từ 60 triệu đồng một mét vuông. Người tham gia nộp hồ sơ và tiền đặt trước tại tổ chức đấu giá tài sản từ ngày 20/11 đến ngày 05/12/2025. Buổi đấu giá được tổ chức theo hình thức bỏ phiếu gián tiếp.",
    ),
]

# --- news: transport, environment, education, health ------------------------------------------

GT, MT, GD, YT = "giao-thong", "moi-truong", "giao-duc", "y-te"
CORE += [
    D(
        "c058",
        "hanoi",
        "news",
        GT,
        "2025-08-08",
        "Đoạn trên cao tuyến đường sắt đô thị Nhổn - ga Hà Nội đón hơn 10 triệu lượt khách",
        "Sau hơn một năm vận hành thương mại, đoạn trên cao Nhổn - Cầu Giấy đã phục vụ hơn 10 triệu lượt hành khách.",
        "Tuyến đường sắt đô thị số 3 đoạn trên cao dài 8,5 km với 8 nhà ga, tần suất 6 phút một chuyến giờ cao điểm. Đoạn đi ngầm từ Cầu Giấy đến ga Hà Nội đang được đẩy nhanh tiến độ. Thành phố bố trí các tuyến xe buýt kết nối tại ga Nhổn và ga Cầu Giấy để người dân thuận tiện chuyển tiếp.",
    ),
    D(
        "c059",
        "hanoi",
        "news",
        GT,
        "2025-03-18",
        "Phân luồng giao thông phục vụ thi công cầu Trần Hưng Đạo",
        "Từ ngày 20/3/2025, điều chỉnh tổ chức giao thông trên đường Trần Khánh Dư, Nguyễn Khoái để thi công cầu Trần Hưng Đạo.",
        "Sở Giao thông vận tải phân luồng phương tiện từ phố Trần Hưng Đạo đi quận Long Biên qua cầu Chương Dương và cầu Vĩnh Tuy. Xe tải trên 10 tấn không được đi vào khu vực thi công. Người tham gia giao thông chú ý biển báo và hướng dẫn của lực lượng chức năng.",
    ),
    D(
        "c060",
        "bavi",
        "news",
        GT,
        "2025-06-04",
        "Xử lý xe chở đá nặng quá tải trọng cày nát đường đê tại xã Ba Vì",
        "Lực lượng chức năng xử phạt 17 xe chở đá nặng vượt tải trọng cho phép trên tuyến đê Hữu Hồng.",
        "Nhiều xe tải chở đá nặng hơn 40 tấn lưu thông ban đêm trên đường đê khiến mặt đê hư hỏng, nứt vỡ. Tổ công tác liên ngành của xã phối hợp Cảnh sát giao thông lập biên bản, tạm giữ phương tiện. UBND xã Ba Vì đề nghị các mỏ đá và bến bãi vật liệu không xếp hàng quá tải lên xe.",
    ),
    D(
        "c061",
        "hanoi",
        "news",
        GT,
        "2024-11-05",
        "Hà Nội thí điểm thu phí không dừng tại các bãi đỗ xe",
        "Người dân có thể thanh toán phí gửi xe qua tài khoản giao thông đã dán thẻ đầu cuối tại các bãi đỗ xe thí điểm.",
        "Thành phố thí điểm thu phí trông giữ xe không dùng tiền mặt tại 10 bãi đỗ xe, trong đó có bãi đỗ xe ngầm công viên Thống Nhất. Phương tiện đã dán thẻ thu phí không dừng được nhận diện tự động khi vào, ra bãi. Việc thí điểm góp phần minh bạch nguồn thu và giảm ùn tắc tại cổng bãi.",
    ),
    D(
        "c062",
        "hoankiem",
        "news",
        GT,
        "2025-08-28",
        "Tổ chức giao thông quanh hồ Hoàn Kiếm dịp Quốc khánh 2/9",
        "Từ 19 giờ ngày 29/8 đến 24 giờ ngày 3/9/2025, cấm phương tiện cơ giới các tuyến phố quanh hồ Hoàn Kiếm.",
        "UBND phường Hoàn Kiếm phối hợp Công an Thành phố tổ chức phân luồng giao thông phục vụ không gian đi bộ và các hoạt động kỷ niệm 80 năm Quốc khánh. Các điểm trông giữ xe được bố trí tại phố Hàng Khay, Lý Thái Tổ và Trần Nguyên Hãn. Người dân nên sử dụng xe buýt và đường sắt đô thị khi đến khu vực Hồ Gươm.",
    ),
    D(
        "c063",
        "dinhcong",
        "news",
        GT,
        "2025-10-02",
        "Thông xe đường Vành đai 2,5 đoạn qua phường Định Công",
        "Đoạn Vành đai 2,5 dài 1,2 km qua phường Định Công được thông xe, giảm tải cho đường Giải Phóng.",
        "Dự án hoàn thành sau nhiều năm vướng mắc giải phóng mặt bằng. Tuyến đường rộng 40 mét với 6 làn xe, kết nối khu đô thị Định Công với đường Giải Phóng. UBND phường Định Công đề nghị người dân chấp hành nghiêm quy định an toàn giao thông trên tuyến mới.",
    ),
    D(
        "c064",
        "hanoi",
        "news",
        MT,
        "2025-09-22",
        "Hà Nội triển khai vùng phát thải thấp trong Vành đai 1 từ năm 2026",
        "Từ ngày 01/7/2026, xe mô tô, xe gắn máy chạy xăng bị hạn chế lưu thông trong khu vực Vành đai 1.",
        "Theo lộ trình, Thành phố hạn chế dần phương tiện sử dụng nhiên liệu hóa thạch trong Vành đai 1, tiến tới mở rộng ra Vành đai 2 và Vành đai 3. Người dân chuyển đổi sang xe điện được hỗ trợ một phần chi phí. Mạng lưới xe buýt điện và trạm sạc được mở rộng để phục vụ nhu cầu đi lại.",
    ),
    D(
        "c065",
        "hanoi",
        "news",
        GT,
        "2026-01-15",
        "Mở mới 8 tuyến xe buýt điện kết nối các phường nội đô",
        "Từ tháng 1/2026, Hà Nội đưa vào vận hành thêm 8 tuyến xe buýt điện, nâng tổng số lên 30 tuyến.",
        "Các tuyến xe buýt điện mới kết nối khu vực phố cổ với các khu đô thị phía Tây và phía Nam. Giá vé lượt từ 7.000 đến 9.000 đồng, người cao tuổi từ 60 tuổi trở lên được miễn phí khi có thẻ đi xe buýt. Thành phố đặt mục tiêu toàn bộ xe buýt sử dụng năng lượng xanh vào năm 2035.",
    ),
    D(
        "c066",
        "sonnmt",
        "news",
        MT,
        "2025-12-08",
        "Chỉ số chất lượng không khí AQI tại Hà Nội ở mức xấu, người dân hạn chế ra ngoài",
        "Nhiều trạm quan trắc ghi nhận chỉ số AQI vượt 200, mức có hại cho sức khỏe, vào sáng sớm và buổi tối.",
        "Sở Nông nghiệp và Môi trường khuyến cáo người dân, đặc biệt người cao tuổi, trẻ nhỏ hạn chế hoạt động ngoài trời khi chất lượng không khí ở mức xấu. Nguyên nhân chủ yếu do khí thải giao thông, hoạt động xây dựng và đốt rơm rạ trong điều kiện thời tiết lặng gió. Người dân có thể theo dõi chỉ số chất lượng không khí theo giờ trên ứng dụng iHanoi.",
    ),
    D(
        "c067",
        "hanoi",
        "news",
        MT,
        "2025-10-20",
        "Bổ cập nước sông Hồng hồi sinh sông Tô Lịch",
        "Thành phố bổ cập nước sạch từ sông Hồng cho sông Tô Lịch qua hồ Tây, từng bước cải thiện chất lượng nước.",
        "Dự án sử dụng trạm bơm và hệ thống cống dẫn nước từ sông Hồng vào hồ Tây, sau đó xả sang sông Tô Lịch. Song song, Thành phố hoàn thiện nhà máy xử lý nước thải Yên Xá để thu gom nước thải không cho chảy thẳng ra sông. Hai bên bờ sông Tô Lịch được cải tạo thành không gian xanh, đường đi bộ.",
    ),
    D(
        "c068",
        "hanoi",
        "news",
        MT,
        "2026-01-05",
        "Các xã, phường ra quân phân loại rác thải sinh hoạt tại nguồn",
        "Từ ngày 01/01/2026, Hà Nội đồng loạt triển khai phân loại chất thải rắn sinh hoạt tại hộ gia đình.",
        "Thực hiện Quyết định số 58/2025/QĐ-UBND, các xã, phường cấp túi, thùng đựng rác có màu phân biệt cho hộ gia đình. Rác thực phẩm được thu gom hằng ngày, rác tái chế thu gom theo lịch hai lần mỗi tuần. Tổ dân phố tuyên truyền, hướng dẫn người dân cách phân loại và đặt rác đúng giờ.",
    ),
    D(
        "c069",
        "sonnmt",
        "news",
        MT,
        "2025-06-12",
        "Nghiêm cấm đốt rơm rạ sau thu hoạch tại các xã ngoại thành",
        "Sở Nông nghiệp và Môi trường hướng dẫn nông dân xử lý rơm rạ bằng chế phẩm vi sinh thay vì đốt ngoài đồng.",
        "Việc đốt rơm rạ sau mùa gặt gây khói mù, ảnh hưởng chất lượng không khí nội đô và an toàn giao thông trên các tuyến cao tốc. Các xã Sóc Sơn, Đông Anh, Mê Linh thành lập tổ kiểm tra, xử phạt người đốt rơm rạ. Nông dân được hỗ trợ chế phẩm vi sinh để ủ rơm làm phân bón hữu cơ.",
    ),
    D(
        "c070",
        "hanoi",
        "news",
        MT,
        "2025-12-29",
        "Hoàn thành trồng mới hơn 1 triệu cây xanh giai đoạn 2021-2025",
        "Chương trình trồng một triệu cây xanh của Thành phố về đích vượt kế hoạch, tăng diện tích cây xanh đô thị.",
        "Trong 5 năm, Hà Nội trồng mới hơn 1,1 triệu cây bóng mát, cây cảnh quan và cây phân tán. Nhiều tuyến phố được trồng hoa ban, hoa sưa, phượng tím. Thành phố tiếp tục phát động Tết trồng cây và giao UBND xã, phường chăm sóc, bảo vệ cây xanh trên địa bàn.",
    ),
    D(
        "c071",
        "sogddt",
        "news",
        GD,
        "2025-08-20",
        "Miễn học phí cho học sinh từ mầm non đến trung học phổ thông công lập từ năm học 2025-2026",
        "Toàn bộ trẻ mầm non, học sinh phổ thông công lập tại Hà Nội được miễn học phí từ năm học 2025-2026.",
        "Thực hiện chủ trương của Trung ương, Hội đồng nhân dân Thành phố thông qua nghị quyết miễn học phí cho trẻ mầm non, học sinh tiểu học, trung học cơ sở và trung học phổ thông công lập. Học sinh trường ngoài công lập được hỗ trợ học phí bằng mức học phí của trường công lập. Kinh phí thực hiện khoảng 3.500 tỷ đồng mỗi năm.",
    ),
    D(
        "c072",
        "sogddt",
        "news",
        GD,
        "2025-07-04",
        "Công bố điểm chuẩn vào lớp 10 THPT công lập năm học 2025-2026",
        "Sở Giáo dục và Đào tạo công bố điểm chuẩn vào lớp 10 của 121 trường THPT công lập; cao nhất là 24,75 điểm.",
        "Thí sinh trúng tuyển xác nhận nhập học trực tuyến từ ngày 7 đến ngày 10/7/2025. Các trường còn thiếu chỉ tiêu sẽ tuyển bổ sung sau khi kết thúc đợt xác nhận nhập học. Phụ huynh tra cứu kết quả tuyển sinh bằng mã học sinh trên cổng tuyển sinh của Thành phố.",
    ),
    D(
        "c073",
        "sogddt",
        "news",
        GD,
        "2025-07-21",
        "Học sinh Hà Nội giành huy chương vàng Olympic Toán học quốc tế 2025",
        "Đội tuyển Việt Nam đạt thành tích cao tại IMO 2025, trong đó có hai học sinh của Hà Nội giành huy chương vàng.",
        "Hai học sinh lớp 12 Trường THPT chuyên Hà Nội - Amsterdam và Trường THPT chuyên Khoa học Tự nhiên giành huy chương vàng. UBND Thành phố khen thưởng các học sinh đạt giải và giáo viên trực tiếp bồi dưỡng. Thành tích tiếp tục khẳng định chất lượng giáo dục mũi nhọn của Thủ đô.",
    ),
    D(
        "c074",
        "duongnoi",
        "news",
        GD,
        "2025-09-05",
        "Khánh thành trường trung học cơ sở tại khu đô thị Dương Nội",
        "Trường THCS mới với 45 phòng học đón học sinh năm học 2025-2026, giảm sĩ số cho các trường khu vực Hà Đông.",
        "Trường được xây dựng trên ô đất giáo dục điều chỉnh theo quy hoạch chi tiết khu đô thị mới Dương Nội. Công trình gồm nhà học 5 tầng, nhà thể chất, thư viện và sân chơi. Phường Dương Nội tiếp nhận hơn 1.500 học sinh cư trú tại các khu đô thị lân cận.",
    ),
    D(
        "c075",
        "soyte",
        "news",
        YT,
        "2025-03-25",
        "Tổ chức tiêm vắc xin sởi cho trẻ từ 1 đến 5 tuổi",
        "Hà Nội tổ chức chiến dịch tiêm bổ sung vắc xin sởi cho trẻ từ 1 đến dưới 6 tuổi chưa tiêm đủ mũi.",
        "Trước số ca mắc sởi gia tăng, Sở Y tế tổ chức tiêm vắc xin sởi tại trạm y tế xã, phường và trường mầm non. Cha mẹ mang theo sổ tiêm chủng hoặc tra cứu lịch sử tiêm trên ứng dụng VNeID. Vắc xin được cấp miễn phí trong chương trình tiêm chủng mở rộng.",
    ),
    D(
        "c076",
        "soyte",
        "news",
        YT,
        "2024-09-10",
        "Số ca mắc sốt xuất huyết tăng, Hà Nội ra quân diệt bọ gậy",
        "Tuần qua ghi nhận gần 700 ca mắc sốt xuất huyết, các xã, phường tổ chức chiến dịch diệt loăng quăng, bọ gậy.",
        "Sở Y tế khuyến cáo người dân loại bỏ dụng cụ chứa nước đọng, thả cá diệt bọ gậy trong bể nước và ngủ màn kể cả ban ngày. Người có biểu hiện sốt cao, xuất huyết dưới da cần đến cơ sở y tế để khám, không tự ý truyền dịch. Các ổ dịch được phun hóa chất diệt muỗi trong 48 giờ.",
    ),
    D(
        "c077",
        "phuongliet",
        "news",
        YT,
        "2025-10-14",
        "Khám sức khỏe miễn phí cho người cao tuổi tại Trạm y tế phường Phương Liệt",
        "Hơn 800 người cao tuổi được khám sức khỏe, đo huyết áp, xét nghiệm đường máu miễn phí.",
        "Chương trình do UBND phường Phương Liệt phối hợp Bệnh viện Bạch Mai tổ chức nhân Tháng hành động vì người cao tuổi. Người cao tuổi được tư vấn phòng bệnh tăng huyết áp, đái tháo đường và cập nhật hồ sơ sức khỏe điện tử. Trường hợp phát hiện bệnh được hướng dẫn điều trị bằng thẻ bảo hiểm y tế.",
    ),
    D(
        "c078",
        "hadong",
        "news",
        YT,
        "2025-11-11",
        "Bệnh viện Đa khoa Hà Đông triển khai đặt lịch khám bệnh trực tuyến",
        "Người bệnh đặt lịch khám qua tổng đài, website hoặc ứng dụng, giảm thời gian chờ tại Bệnh viện Đa khoa Hà Đông.",
        "Người bệnh chọn chuyên khoa, bác sĩ và khung giờ khám, nhận mã xác nhận qua tin nhắn. Bệnh viện chấp nhận căn cước gắn chip thay cho thẻ bảo hiểm y tế giấy khi làm thủ tục khám chữa bệnh. Thời gian chờ khám trung bình giảm từ 90 phút xuống còn 30 phút.",
    ),
    D(
        "c079",
        "soyte",
        "news",
        YT,
        "2025-05-06",
        "Sử dụng sổ sức khỏe điện tử trên ứng dụng VNeID",
        "Người dân tra cứu lịch sử khám chữa bệnh, tiêm chủng và giấy khám sức khỏe lái xe trên VNeID.",
        "Sổ sức khỏe điện tử được liên thông giữa cơ sở khám chữa bệnh và Cơ sở dữ liệu quốc gia về dân cư. Giấy khám sức khỏe của người lái xe được đồng bộ lên VNeID để sử dụng khi cấp đổi giấy phép lái xe trực tuyến. Sở Y tế yêu cầu 100% bệnh viện trên địa bàn kết nối dữ liệu sổ sức khỏe điện tử.",
    ),
]

# --- news: old quarter, Hồ Gươm, tourism, economy, digital government --------------------------

DL, XD, KT, ASXH, CCHC, CDS, HD = (
    "van-hoa-du-lich", "xay-dung-do-thi", "kinh-te", "an-sinh-xa-hoi",
    "cai-cach-hanh-chinh", "chuyen-doi-so", "tin-hoat-dong",
)  # fmt: skip
CORE += [
    D(
        "c080",
        "hoankiem",
        "news",
        DL,
        "2025-04-12",
        "Mở rộng không gian đi bộ hồ Hoàn Kiếm ra các tuyến phố cổ",
        "Từ tháng 4/2025, không gian đi bộ cuối tuần mở rộng thêm phố Hàng Buồm, Mã Mây, Tạ Hiện.",
        "Không gian đi bộ hồ Hoàn Kiếm và phụ cận hoạt động từ 19 giờ tối thứ Sáu đến 24 giờ Chủ nhật hằng tuần. Các tuyến phố cổ được bổ sung biểu diễn nghệ thuật truyền thống, ẩm thực đường phố. Phường Hoàn Kiếm sắp xếp lại điểm trông giữ xe và kiểm soát giá dịch vụ phục vụ du khách.",
    ),
    D(
        "c081",
        "hoankiem",
        "news",
        DL,
        "2024-10-09",
        "Tu bổ di tích nhà cổ 87 Mã Mây trong khu phố cổ Hà Nội",
        "Ngôi nhà cổ tiêu biểu ở số 87 Mã Mây được tu bổ, giữ nguyên kiến trúc nhà ống truyền thống của khu phố cổ.",
        "Nhà cổ 87 Mã Mây có niên đại cuối thế kỷ XIX, là điểm tham quan giới thiệu nếp sống của cư dân phố cổ. Việc tu bổ thay thế cấu kiện gỗ mục, gia cố mái ngói, khôi phục sân trời. Ban Quản lý phố cổ tổ chức trưng bày về nghề truyền thống của 36 phố phường tại di tích.",
    ),
    D(
        "c082",
        "hoankiem",
        "news",
        DL,
        "2026-01-20",
        "Tu bổ cầu Thê Húc và đền Ngọc Sơn trên Hồ Gươm trước Tết Bính Ngọ",
        "Cầu Thê Húc được sơn lại, thay ván sàn; đền Ngọc Sơn tu bổ mái, phục vụ du khách dịp Tết.",
        "Đền Ngọc Sơn trên hồ Hoàn Kiếm là di tích quốc gia đặc biệt, đón hàng triệu lượt khách mỗi năm. Công trình tu bổ thực hiện trong 45 ngày, không làm gián đoạn hoạt động tham quan. Tháp Bút, Đài Nghiên và Đắc Nguyệt Lâu cũng được vệ sinh, chiếu sáng nghệ thuật.",
    ),
    D(
        "c083",
        "hanoi",
        "news",
        DL,
        "2025-01-27",
        "Bắn pháo hoa đêm Giao thừa Tết Ất Tỵ tại Hồ Gươm và 30 điểm",
        "Hà Nội tổ chức bắn pháo hoa tầm cao tại khu vực hồ Hoàn Kiếm và tầm thấp tại 30 điểm đêm Giao thừa.",
        "Màn pháo hoa kéo dài 15 phút từ 0 giờ ngày mùng Một Tết. Khu vực Hồ Gươm có chương trình nghệ thuật đón Giao thừa từ 22 giờ. Lực lượng chức năng cấm phương tiện vào các tuyến phố quanh hồ và bố trí điểm trông giữ xe xung quanh.",
    ),
    D(
        "c084",
        "sodulich",
        "news",
        DL,
        "2026-01-08",
        "Hà Nội đón hơn 28 triệu lượt khách du lịch năm 2025",
        "Tổng lượt khách du lịch đến Hà Nội năm 2025 tăng 15%, trong đó khách quốc tế đạt 7,8 triệu lượt.",
        "Doanh thu du lịch đạt khoảng 120.000 tỷ đồng. Khu phố cổ, Hồ Gươm, Văn Miếu - Quốc Tử Giám, Hoàng thành Thăng Long tiếp tục là điểm đến hấp dẫn. Sở Du lịch đẩy mạnh sản phẩm du lịch đêm, du lịch làng nghề và du lịch nông nghiệp ở các xã ngoại thành.",
    ),
    D(
        "c085",
        "sodulich",
        "news",
        DL,
        "2024-12-03",
        "Tour đêm Hoàng thành Thăng Long thu hút du khách quốc tế",
        "Chương trình tham quan đêm \u201cGiải mã Hoàng thành Thăng Long\u201d đón hơn 50.000 lượt khách sau hai năm.",
        "Du khách được trải nghiệm nghi lễ cung đình, tham quan khu khảo cổ 18 Hoàng Diệu và điện Kính Thiên dưới ánh đèn. Tour được tổ chức các tối thứ Sáu, thứ Bảy, Chủ nhật. Giá vé từ 300.000 đồng, có thuyết minh tiếng Anh.",
    ),
    D(
        "c086",
        "vanmieuquoctugiam",
        "news",
        DL,
        "2026-02-12",
        "Văn Miếu - Quốc Tử Giám mở cửa đón khách xuyên Tết Bính Ngọ",
        "Di tích mở cửa từ 7 giờ 30 đến 21 giờ trong những ngày Tết, tổ chức hội chữ Xuân Bính Ngọ.",
        "Trung tâm Hoạt động văn hóa khoa học Văn Miếu - Quốc Tử Giám tổ chức trưng bày thư pháp, cho chữ đầu Xuân. Vé tham quan 70.000 đồng, người cao tuổi được giảm 50%. Phường Văn Miếu - Quốc Tử Giám bố trí lực lượng bảo đảm an ninh, an toàn giao thông khu vực di tích.",
    ),
    D(
        "c087",
        "sodulich",
        "news",
        DL,
        "2025-03-07",
        "Lễ hội Áo dài Du lịch Hà Nội năm 2025 diễn ra quanh Hồ Gươm",
        "Lễ hội với chủ đề tôn vinh áo dài Việt Nam diễn ra từ ngày 7 đến 9/3/2025 tại không gian đi bộ hồ Hoàn Kiếm.",
        "Chương trình gồm diễu hành áo dài, trình diễn thời trang và triển lãm áo dài xưa. Các cơ sở lưu trú, lữ hành khuyến mại cho du khách mặc áo dài. Lễ hội góp phần quảng bá hình ảnh Hà Nội thanh lịch, văn minh.",
    ),
    D(
        "c088",
        "sodulich",
        "news",
        DL,
        "2025-05-15",
        "Hà Nội và Đà Nẵng ký kết hợp tác phát triển du lịch giai đoạn 2025-2030",
        "Sở Du lịch Hà Nội và Sở Du lịch thành phố Đà Nẵng ký chương trình hợp tác, kết nối tour, tuyến giữa hai thành phố.",
        "Hai thành phố phối hợp xây dựng sản phẩm du lịch kết nối di sản Hà Nội với biển Đà Nẵng và Hội An. Các doanh nghiệp lữ hành được hỗ trợ khảo sát, xúc tiến tại thị trường Hàn Quốc, Nhật Bản. Hà Nội và Đà Nẵng cũng chia sẻ kinh nghiệm phát triển du lịch đêm.",
    ),
    D(
        "c089",
        "chuyendoiso",
        "news",
        CDS,
        "2024-08-23",
        "Đoàn công tác Hà Nội học tập kinh nghiệm chuyển đổi số tại thành phố Đà Nẵng",
        "Đoàn công tác của thành phố Hà Nội làm việc với UBND thành phố Đà Nẵng về chính quyền số và trung tâm điều hành thông minh.",
        "Thành phố Đà Nẵng chia sẻ kinh nghiệm xây dựng trung tâm giám sát điều hành đô thị thông minh, tổng đài 1022 tiếp nhận phản ánh của người dân. Đoàn công tác Hà Nội tìm hiểu mô hình dữ liệu mở và dịch vụ công trực tuyến toàn trình. Hai bên thống nhất chia sẻ nền tảng, dữ liệu phục vụ chuyển đổi số.",
    ),
    D(
        "c090",
        "soxaydung",
        "news",
        XD,
        "2026-01-14",
        "Công bố giá vật liệu xây dựng quý IV/2025: đá ốp lát, cát, xi măng tăng nhẹ",
        "Giá đá ốp lát tự nhiên, cát xây dựng và xi măng quý IV/2025 tăng từ 2% đến 5% so với quý trước.",
        "Sở Xây dựng công bố giá vật liệu xây dựng làm cơ sở lập dự toán công trình. Đá ốp lát granite, đá ốp lát marble tăng khoảng 3%; đá dăm, đá hộc ổn định. Cát vàng tăng mạnh nhất do nguồn cung hạn chế. Chủ đầu tư tham khảo công bố giá để xác định chi phí xây dựng.",
    ),
    D(
        "c091",
        "quocoai",
        "news",
        MT,
        "2025-07-30",
        "Kiểm tra cơ sở sản xuất đá ốp lát nhân tạo gây ô nhiễm bụi tại xã Quốc Oai",
        "Đoàn kiểm tra liên ngành yêu cầu 3 cơ sở cắt, mài đá ốp lát tạm dừng hoạt động do xả bụi, nước thải ra môi trường.",
        "Người dân phản ánh các xưởng cắt đá ốp lát hoạt động cả đêm, gây tiếng ồn và bụi mịn. Qua kiểm tra, các cơ sở không có hệ thống xử lý nước thải, bùn đá thải bừa bãi ra mương tiêu. UBND xã Quốc Oai xử phạt vi phạm hành chính và yêu cầu khắc phục trong 30 ngày.",
    ),
    D(
        "c092",
        "hanoi",
        "news",
        KT,
        "2026-02-10",
        "Giá hoa tươi hạ, chợ hoa Quảng An đông khách những ngày giáp Tết",
        "Nguồn cung dồi dào khiến giá hoa tươi hạ, đông khách đến chợ hoa Quảng An từ sáng sớm.",
        "Những ngày cận Tết Bính Ngọ, giá hoa đào, hoa ly, hoa cúc tại chợ hoa Quảng An giảm 10% đến 20% so với năm trước. Khi giá hạ, đông đảo người dân đến mua hoa trang trí nhà cửa. Lực lượng quản lý thị trường kiểm tra niêm yết giá, không để xảy ra tình trạng chèo kéo khách.",
    ),
    D(
        "c093",
        "hadong",
        "news",
        CCHC,
        "2025-09-18",
        "Phường Hà Đông đưa vào hoạt động Bộ phận Một cửa hiện đại",
        "Bộ phận Một cửa phường Hà Đông bố trí 20 quầy tiếp nhận, ki-ốt tra cứu và bàn hướng dẫn nộp hồ sơ trực tuyến.",
        "Sau khi sắp xếp đơn vị hành chính, phường Hà Đông tiếp nhận khối lượng lớn hồ sơ đất đai, xây dựng, hộ tịch. Bộ phận Một cửa có đoàn viên thanh niên hỗ trợ người dân nộp hồ sơ trực tuyến và cài đặt VNeID. Người dân đánh giá mức độ hài lòng bằng máy tính bảng tại quầy.",
    ),
    D(
        "c094",
        "hadong",
        "news",
        DL,
        "2025-10-25",
        "Lễ hội làng lụa Vạn Phúc, phường Hà Đông năm 2025",
        "Lễ hội tôn vinh nghề dệt lụa hơn 1.000 năm tuổi của làng Vạn Phúc với trình diễn dệt, hội chợ lụa và ẩm thực.",
        "Làng lụa Vạn Phúc là điểm du lịch làng nghề nổi tiếng của Hà Đông. Du khách được tham quan xưởng dệt, trải nghiệm in hoa văn lên lụa và mua sản phẩm trực tiếp từ nghệ nhân. Phường Hà Đông phối hợp Sở Du lịch xây dựng tour kết nối làng lụa với các điểm di tích trong khu vực.",
    ),
    D(
        "c095",
        "sotaichinh",
        "news",
        KT,
        "2026-01-06",
        "Thu ngân sách nhà nước trên địa bàn Hà Nội năm 2025 vượt dự toán",
        "Tổng thu ngân sách năm 2025 đạt hơn 590.000 tỷ đồng, vượt 13% dự toán được giao.",
        "Thu nội địa tăng mạnh nhờ hoạt động sản xuất, kinh doanh phục hồi và thu từ đất. Chi đầu tư phát triển tập trung cho các dự án giao thông trọng điểm như Vành đai 4, cầu Trần Hưng Đạo. Sở Tài chính đề xuất các giải pháp nuôi dưỡng nguồn thu bền vững năm 2026.",
    ),
    D(
        "c096",
        "caicachhanhchinh",
        "news",
        CCHC,
        "2026-03-02",
        "Hơn 90% hồ sơ TTHC của Thành phố được nộp trực tuyến trong tháng 2/2026",
        "Tỷ lệ hồ sơ TTHC nộp trực tuyến đạt 91,5%, tỷ lệ giải quyết đúng hạn đạt 99,2%.",
        "Các lĩnh vực hộ tịch, đăng ký kinh doanh, cư trú có tỷ lệ nộp trực tuyến cao nhất. Một số TTHC đất đai, xây dựng vẫn chủ yếu nộp trực tiếp do hồ sơ phức tạp. Trung tâm Phục vụ hành chính công Thành phố tiếp tục hỗ trợ người dân nộp hồ sơ TTHC trên Cổng Dịch vụ công.",
    ),
    D(
        "c097",
        "chuyendoiso",
        "news",
        CDS,
        "2025-03-28",
        "Ứng dụng iHanoi tiếp nhận hơn 100.000 phản ánh của người dân",
        "Sau một năm vận hành, nền tảng iHanoi tiếp nhận và xử lý hơn 100.000 phản ánh về đô thị, môi trường, giao thông.",
        "Người dân gửi phản ánh kèm hình ảnh, vị trí qua ứng dụng iHanoi và nhận kết quả xử lý từ chính quyền xã, phường. Thời gian xử lý trung bình là 3 ngày. Ứng dụng còn cung cấp tra cứu hồ sơ thủ tục hành chính, thông tin quy hoạch và chỉ số chất lượng không khí.",
    ),
    D(
        "c098",
        "dean06",
        "news",
        CDS,
        "2025-06-19",
        "Hà Nội cấp thẻ căn cước cho trẻ em dưới 6 tuổi qua ứng dụng VNeID",
        "Cha mẹ đề nghị cấp thẻ căn cước cho con dưới 6 tuổi trực tuyến, không phải đưa trẻ đến cơ quan công an.",
        "Với trẻ dưới 6 tuổi, cơ quan quản lý căn cước không thu nhận vân tay, mống mắt mà sử dụng thông tin có sẵn trong Cơ sở dữ liệu quốc gia về dân cư. Cha mẹ đăng nhập VNeID, chọn thủ tục cấp căn cước cho con và thanh toán lệ phí trực tuyến. Thẻ được trả qua dịch vụ bưu chính đến địa chỉ đăng ký.",
    ),
    D(
        "c099",
        "sonoivu",
        "news",
        ASXH,
        "2025-04-22",
        "Phiên giao dịch việc làm thu hút hơn 3.000 vị trí tuyển dụng",
        "Trung tâm Dịch vụ việc làm Hà Nội tổ chức phiên giao dịch việc làm với 60 doanh nghiệp tham gia.",
        "Người lao động được tư vấn việc làm, học nghề và hướng dẫn thủ tục hưởng bảo hiểm thất nghiệp. Nhiều vị trí trong lĩnh vực điện tử, du lịch, logistics có mức lương từ 8 đến 20 triệu đồng. Người lao động có thể đăng ký tìm việc trực tuyến trên sàn giao dịch việc làm của Thành phố.",
    ),
    D(
        "c100",
        "hanoi",
        "news",
        ASXH,
        "2026-01-09",
        "Chi trả lương hưu, trợ cấp BHXH tháng 1 và tháng 2/2026 trước Tết",
        "BHXH Thành phố chi trả gộp lương hưu, trợ cấp BHXH hai tháng trong một kỳ để người hưởng đón Tết.",
        "Người hưởng nhận lương hưu, trợ cấp BHXH qua tài khoản ngân hàng từ ngày 12/01/2026, nhận tiền mặt tại điểm chi trả từ ngày 14/01/2026. Hơn 80% người hưởng đã nhận qua tài khoản cá nhân. BHXH Thành phố khuyến khích người cao tuổi mở tài khoản để nhận lương hưu an toàn, thuận tiện.",
    ),
]

# --- answers to citizens' questions ---------------------------------------------------------------

HDP = "hoi-dap"
CORE += [
    D(
        "q001",
        "hanoi",
        "answer",
        HDP,
        "2025-08-14",
        "Hồ sơ xin giấy phép xây dựng nhà ở gồm những gì?",
        "Bà Nguyễn Thị Lan ở phường Cầu Giấy hỏi: gia đình tôi muốn xây nhà 4 tầng trên đất đã có sổ đỏ thì cần chuẩn bị hồ sơ xin phép xây dựng thế nào?",
        "Trả lời: Hồ sơ đề nghị cấp giấy phép xây dựng nhà ở riêng lẻ gồm đơn đề nghị theo mẫu, bản sao giấy chứng nhận quyền sử dụng đất và hai bộ bản vẽ thiết kế gồm mặt bằng, mặt cắt, mặt đứng, móng và đấu nối hạ tầng. Bà nộp hồ sơ tại Bộ phận Một cửa UBND phường Cầu Giấy hoặc trên Cổng Dịch vụ công. Thời hạn cấp giấy phép là 15 ngày kể từ ngày nhận đủ hồ sơ hợp lệ.",
    ),
    D(
        "q002",
        "hanoi",
        "answer",
        HDP,
        "2025-09-03",
        "Sửa chữa, cải tạo nhà có phải xin giấy phép xây dựng không?",
        "Ông Trần Văn Hùng hỏi: tôi muốn lát lại nền, thay mái tôn cho nhà cấp 4 thì có phải xin phép không?",
        "Trả lời: Sửa chữa, cải tạo bên trong công trình hoặc thay mái mà không làm thay đổi kết cấu chịu lực, công năng sử dụng và không ảnh hưởng đến an toàn công trình lân cận thì được miễn giấy phép xây dựng. Trường hợp nâng tầng, mở rộng diện tích hoặc thay đổi kết cấu thì phải đề nghị cấp giấy phép xây dựng. Trước khi thi công, ông nên thông báo cho UBND phường nơi có nhà để được hướng dẫn.",
    ),
    D(
        "q003",
        "hanoi",
        "answer",
        HDP,
        "2025-10-06",
        "Đăng ký kết hôn cần những giấy tờ gì?",
        "Anh Lê Minh Đức hỏi: tôi thường trú ở phường Ba Đình, vợ sắp cưới thường trú ở Nam Định thì đăng ký kết hôn ở đâu, cần giấy tờ gì?",
        "Trả lời: Anh chị có thể đăng ký kết hôn tại UBND phường Ba Đình hoặc UBND cấp xã nơi vợ sắp cưới thường trú. Hai người cùng có mặt, nộp tờ khai đăng ký kết hôn và xuất trình căn cước. Do đã khai thác được dữ liệu dân cư nên không phải nộp giấy xác nhận tình trạng hôn nhân nếu thông tin đã có trong cơ sở dữ liệu. Giấy chứng nhận kết hôn được trao ngay trong ngày.",
    ),
    D(
        "q004",
        "hanoi",
        "answer",
        HDP,
        "2025-06-20",
        "Thủ tục ly hôn đơn phương nộp ở đâu?",
        "Chị Phạm Thu Hà hỏi: chồng tôi không đồng ý ly hôn, tôi muốn ly hôn đơn phương thì nộp đơn ở đâu?",
        "Trả lời: Ly hôn không phải là thủ tục hành chính tại UBND cấp xã mà do Tòa án nhân dân giải quyết. Chị nộp đơn khởi kiện ly hôn tại Tòa án nhân dân khu vực nơi chồng chị cư trú, kèm giấy chứng nhận kết hôn bản chính, căn cước và giấy khai sinh của các con. Án phí ly hôn sơ thẩm là 300.000 đồng. Trường hợp hai bên thuận tình ly hôn thì nộp đơn yêu cầu công nhận thuận tình ly hôn.",
    ),
    D(
        "q005",
        "hanoi",
        "answer",
        HDP,
        "2025-02-25",
        "Làm căn cước cho trẻ em dưới 14 tuổi như thế nào?",
        "Chị Vũ Thị Mai hỏi: con tôi 10 tuổi, có bắt buộc làm căn cước không và làm ở đâu?",
        "Trả lời: Theo Luật Căn cước, công dân dưới 14 tuổi được cấp thẻ căn cước theo nhu cầu, không bắt buộc. Trẻ từ 6 đến dưới 14 tuổi đi cùng cha mẹ đến Công an cấp xã để thu nhận vân tay, mống mắt. Trẻ dưới 6 tuổi, cha mẹ đề nghị trực tuyến qua VNeID. Lệ phí cấp thẻ căn cước lần đầu cho trẻ dưới 14 tuổi được miễn đến hết năm 2025.",
    ),
    D(
        "q006",
        "hanoi",
        "answer",
        HDP,
        "2024-10-30",
        "Thẻ căn cước công dân còn hạn có phải đổi sang thẻ căn cước mới không?",
        "Ông Đỗ Văn Nam hỏi: thẻ CCCD gắn chip của tôi cấp năm 2021, có phải đổi sang thẻ căn cước theo luật mới không?",
        "Trả lời: Thẻ căn cước công dân đã được cấp trước ngày 01/7/2024 vẫn có giá trị sử dụng đến hết thời hạn in trên thẻ. Ông không bắt buộc phải đổi sang thẻ căn cước mới. Khi thẻ CCCD hết hạn, hư hỏng hoặc thay đổi thông tin thì ông làm thủ tục cấp đổi sang thẻ căn cước. Chứng minh nhân dân còn hạn chỉ sử dụng được đến hết ngày 31/12/2024.",
    ),
    D(
        "q007",
        "hanoi",
        "answer",
        HDP,
        "2025-04-08",
        "Giấy phép lái xe quá hạn bao lâu thì phải sát hạch lại?",
        "Anh Ngô Quang Huy hỏi: bằng lái xe hạng B2 của tôi hết hạn được 8 tháng, tôi có phải thi lại không?",
        "Trả lời: Người có giấy phép lái xe quá hạn dưới 12 tháng được cấp đổi mà không phải sát hạch lại. Quá hạn từ 12 tháng trở lên phải sát hạch lại lý thuyết; quá hạn từ 24 tháng trở lên phải sát hạch lại cả lý thuyết và thực hành. Anh nộp hồ sơ cấp đổi giấy phép lái xe tại Phòng Cảnh sát giao thông hoặc trên Cổng Dịch vụ công.",
    ),
    D(
        "q008",
        "hanoi",
        "answer",
        HDP,
        "2025-05-19",
        "Có đổi bằng lái xe trực tuyến trên VNeID được không?",
        "Chị Hoàng Thu Trang hỏi: tôi có thể đổi bằng lái xe ô tô online mà không phải đến cơ quan công an được không?",
        "Trả lời: Người dân có tài khoản định danh điện tử mức độ 2 và giấy khám sức khỏe đã được đồng bộ lên VNeID có thể nộp hồ sơ cấp đổi giấy phép lái xe trực tuyến. Chị thanh toán lệ phí trực tuyến và nhận giấy phép lái xe qua bưu điện. Giấy phép lái xe điện tử được tích hợp trên VNeID có giá trị như bản giấy khi xuất trình.",
    ),
    D(
        "q009",
        "hanoi",
        "answer",
        HDP,
        "2025-03-13",
        "Đăng ký khai sinh quá hạn có bị phạt không?",
        "Anh Bùi Văn Tuấn hỏi: con tôi đã được 4 tháng tuổi nhưng chưa làm giấy khai sinh, bây giờ đăng ký có bị phạt không?",
        "Trả lời: Pháp luật về xử phạt vi phạm hành chính hiện hành chỉ áp dụng hình thức cảnh cáo đối với người không đăng ký khai sinh cho trẻ đúng thời hạn. Anh đến UBND cấp xã nơi cư trú để đăng ký khai sinh cho con, mang theo giấy chứng sinh. Anh nên đăng ký ngay để con được cấp số định danh cá nhân và thẻ bảo hiểm y tế.",
    ),
    D(
        "q010",
        "hanoi",
        "answer",
        HDP,
        "2025-11-04",
        "Đăng ký thường trú cho con vào nhà ông bà nội được không?",
        "Chị Đinh Thị Hồng hỏi: vợ chồng tôi thuê nhà, có được đăng ký thường trú cho con vào nhà ông bà nội không?",
        "Trả lời: Con chưa thành niên được đăng ký thường trú tại chỗ ở hợp pháp của ông bà nếu được chủ hộ và chủ sở hữu chỗ ở đồng ý và được cha mẹ đồng ý. Hồ sơ gồm tờ khai thay đổi thông tin cư trú có ý kiến đồng ý của chủ hộ và giấy tờ chứng minh quan hệ gia đình. Chị nộp hồ sơ tại Công an cấp xã nơi ông bà cư trú hoặc trực tuyến trên VNeID.",
    ),
    D(
        "q011",
        "hanoi",
        "answer",
        HDP,
        "2025-07-02",
        "Mức đóng bảo hiểm xã hội tự nguyện năm 2025 là bao nhiêu?",
        "Bà Lý Thị Nga hỏi: tôi buôn bán tự do, muốn đóng BHXH tự nguyện để có lương hưu thì mỗi tháng đóng bao nhiêu?",
        "Trả lời: Mức đóng BHXH tự nguyện hằng tháng bằng 22% mức thu nhập do người tham gia lựa chọn, thấp nhất bằng chuẩn hộ nghèo khu vực nông thôn là 1.500.000 đồng. Như vậy mức đóng tối thiểu là 330.000 đồng một tháng, trước khi trừ phần Nhà nước hỗ trợ. Người thuộc hộ nghèo được hỗ trợ 50%, hộ cận nghèo 40%, đối tượng khác 20% mức đóng theo chuẩn nghèo.",
    ),
    D(
        "q012",
        "hanoi",
        "answer",
        HDP,
        "2025-12-02",
        "Gia hạn thẻ BHYT hộ gia đình ở đâu?",
        "Ông Mai Văn Khoa hỏi: thẻ bảo hiểm y tế hộ gia đình của tôi sắp hết hạn, gia hạn ở đâu cho nhanh?",
        "Trả lời: Ông có thể gia hạn thẻ BHYT hộ gia đình tại đại lý thu BHXH, BHYT ở xã, phường, tại bưu điện hoặc thanh toán trực tuyến trên Cổng Dịch vụ công, ứng dụng VssID. Mức đóng BHYT hộ gia đình năm 2025 của người thứ nhất là 1.263.600 đồng một năm, từ người thứ hai giảm dần. Nên gia hạn trước khi thẻ hết hạn để không bị gián đoạn quyền lợi.",
    ),
    D(
        "q013",
        "hanoi",
        "answer",
        HDP,
        "2025-08-26",
        "Chứng thực bản sao ở đâu, lệ phí bao nhiêu?",
        "Anh Tạ Quang Vinh hỏi: tôi cần sao y bản chính bằng đại học để nộp hồ sơ xin việc thì làm ở đâu?",
        "Trả lời: Anh có thể chứng thực bản sao từ bản chính tại UBND bất kỳ xã, phường nào, không phụ thuộc nơi cư trú, hoặc tại văn phòng công chứng. Lệ phí là 2.000 đồng một trang, từ trang thứ ba trở đi 1.000 đồng một trang, tối đa 200.000 đồng một bản. Bản sao có chứng thực được sử dụng thay cho bản chính trong các giao dịch.",
    ),
    D(
        "q014",
        "hanoi",
        "answer",
        HDP,
        "2025-09-24",
        "Bán hàng online tại nhà có cần giấy phép kinh doanh không?",
        "Chị Trịnh Thu Phương hỏi: tôi bán quần áo qua mạng xã hội tại nhà, có phải đăng ký kinh doanh không?",
        "Trả lời: Cá nhân kinh doanh thường xuyên, có địa điểm cố định và thu nhập vượt mức quy định phải đăng ký hộ kinh doanh tại UBND cấp xã. Người bán hàng rong, buôn bán nhỏ không có địa điểm cố định không phải đăng ký. Chị nên đăng ký hộ kinh doanh để được cấp Giấy chứng nhận đăng ký hộ kinh doanh và thực hiện nghĩa vụ thuế theo quy định.",
    ),
    D(
        "q015",
        "hanoi",
        "answer",
        HDP,
        "2026-01-05",
        "Lịch nghỉ Tết Nguyên đán 2026 của cán bộ, công chức?",
        "Một bạn đọc hỏi: Tết Bính Ngọ 2026 công chức được nghỉ mấy ngày, từ ngày nào?",
        "Trả lời: Cán bộ, công chức, viên chức được nghỉ Tết Nguyên đán Bính Ngọ 9 ngày liên tục từ thứ Bảy ngày 14/02/2026 đến hết Chủ nhật ngày 22/02/2026. Người lao động khu vực doanh nghiệp nghỉ Tết ít nhất 5 ngày, lịch nghỉ cụ thể do người sử dụng lao động quyết định. Bạn đọc xem thông báo lịch nghỉ Tết của UBND Thành phố để biết thêm chi tiết.",
    ),
    D(
        "q016",
        "hoankiem",
        "answer",
        HDP,
        "2025-05-27",
        "Giá trông giữ xe ô tô trong khu phố cổ là bao nhiêu?",
        "Ông Kiều Văn Bình hỏi: gửi ô tô ở các điểm trông giữ xe trong phố cổ bị thu 100.000 đồng một lượt có đúng quy định không?",
        "Trả lời: Giá dịch vụ trông giữ xe ô tô tại khu vực phường Hoàn Kiếm theo quy định tối đa 35.000 đồng một lượt 2 giờ đối với xe dưới 10 ghế. Việc thu quá giá quy định là vi phạm. UBND phường Hoàn Kiếm đã kiểm tra, xử phạt và yêu cầu điểm trông giữ xe niêm yết giá công khai. Người dân phát hiện thu quá giá có thể phản ánh qua đường dây nóng của phường.",
    ),
    D(
        "q017",
        "badinh",
        "answer",
        HDP,
        "2025-07-29",
        "Phản ánh tiếng ồn hát karaoke ban đêm ở khu dân cư",
        "Bà Chu Thị Lệ hỏi: nhà hàng xóm hát karaoke đến 23 giờ đêm, gây ồn ào, tôi phản ánh với cơ quan nào?",
        "Trả lời: Hành vi gây tiếng ồn vượt quy chuẩn trong khu dân cư từ 22 giờ đến 6 giờ sáng bị xử phạt vi phạm hành chính. Bà có thể phản ánh với Công an phường Ba Đình, tổ dân phố hoặc gửi phản ánh qua ứng dụng iHanoi. UBND phường Ba Đình sẽ chỉ đạo kiểm tra, nhắc nhở và xử lý theo quy định.",
    ),
    D(
        "q018",
        "hanoi",
        "answer",
        HDP,
        "2025-10-21",
        "Bị mất sổ đỏ thì xin cấp lại như thế nào?",
        "Bà Quách Thị Yến hỏi: gia đình tôi làm mất giấy chứng nhận quyền sử dụng đất, thủ tục cấp lại thế nào?",
        "Trả lời: Bà nộp đơn đề nghị cấp lại giấy chứng nhận bị mất tại Bộ phận Một cửa UBND cấp xã hoặc chi nhánh Văn phòng đăng ký đất đai. UBND cấp xã niêm yết thông báo mất giấy chứng nhận trong 15 ngày. Sau đó Văn phòng đăng ký đất đai thực hiện hủy giấy chứng nhận bị mất và cấp giấy chứng nhận mới. Thời hạn giải quyết không quá 10 ngày làm việc.",
    ),
    D(
        "q019",
        "hanoi",
        "answer",
        HDP,
        "2025-04-29",
        "Trẻ em dưới 6 tuổi đi khám chữa bệnh có mất tiền không?",
        "Chị Đoàn Thị Thúy hỏi: con tôi 3 tuổi, khi đi khám bệnh có được bảo hiểm y tế chi trả toàn bộ không?",
        "Trả lời: Trẻ em dưới 6 tuổi được Nhà nước cấp thẻ bảo hiểm y tế miễn phí và được quỹ BHYT chi trả 100% chi phí khám chữa bệnh trong phạm vi được hưởng khi khám đúng tuyến. Thẻ BHYT của trẻ được cấp cùng với đăng ký khai sinh theo quy trình liên thông. Khi đi khám, chị xuất trình thẻ BHYT hoặc mã định danh của con.",
    ),
    D(
        "q020",
        "hanoi",
        "answer",
        HDP,
        "2025-06-10",
        "Làm phiếu lý lịch tư pháp trên VNeID như thế nào?",
        "Anh Nguyễn Văn Sơn hỏi: tôi cần lý lịch tư pháp để đi xuất khẩu lao động, có làm online được không?",
        "Trả lời: Anh đăng nhập ứng dụng VNeID bằng tài khoản định danh mức độ 2, chọn thủ tục cấp phiếu lý lịch tư pháp, điền tờ khai và thanh toán lệ phí 200.000 đồng. Không phải nộp bản chụp căn cước hay giấy tờ cư trú. Phiếu lý lịch tư pháp được trả bản điện tử trên VNeID hoặc bản giấy qua bưu điện trong 10 ngày.",
    ),
    D(
        "q021",
        "hadong",
        "answer",
        HDP,
        "2025-11-26",
        "Thời gian làm việc của Bộ phận Một cửa phường Hà Đông?",
        "Một bạn đọc hỏi: Bộ phận Một cửa phường Hà Đông có làm việc thứ Bảy không, ở địa chỉ nào?",
        "Trả lời: Bộ phận Một cửa phường Hà Đông đặt tại số 2 Hoàng Văn Thụ, làm việc từ thứ Hai đến thứ Sáu, sáng từ 8 giờ đến 12 giờ, chiều từ 13 giờ 30 đến 17 giờ, và sáng thứ Bảy. Người dân có thể nộp hồ sơ trực tuyến bất kỳ lúc nào trên Cổng Dịch vụ công.",
    ),
    D(
        "q022",
        "hanoi",
        "answer",
        HDP,
        "2024-11-12",
        "Chuyển từ bằng lái xe giấy sang thẻ PET có bắt buộc không?",
        "Ông Lương Văn Cường hỏi: bằng lái xe máy bằng giấy bìa của tôi không có thời hạn, có bắt buộc đổi sang thẻ nhựa không?",
        "Trả lời: Giấy phép lái xe mô tô hạng A1 bằng giấy bìa không thời hạn vẫn có giá trị sử dụng, không bắt buộc phải đổi. Tuy nhiên, giấy bìa dễ hư hỏng và khó xác thực nên cơ quan công an khuyến khích người dân đổi sang giấy phép lái xe vật liệu PET. Khi đổi, người dân không phải khám sức khỏe đối với giấy phép lái xe mô tô.",
    ),
]

# --- pages, multimedia, older versions --------------------------------------------------------

GT2 = "gioi-thieu"
CORE += [
    D(
        "c101",
        "hoankiem",
        "page",
        GT2,
        "2025-07-01",
        "Giới thiệu phường Hoàn Kiếm",
        "Phường Hoàn Kiếm được thành lập từ ngày 01/7/2025 trên cơ sở sắp xếp các phường Hàng Bạc, Hàng Bồ, Hàng Buồm, Hàng Đào, Hàng Gai, Hàng Mã, Lý Thái Tổ và một phần các phường lân cận.",
        "Phường Hoàn Kiếm là trung tâm văn hóa, lịch sử của Thủ đô, có hồ Hoàn Kiếm và toàn bộ khu phố cổ Hà Nội. Trên địa bàn có nhiều di tích như đền Ngọc Sơn, đình Kim Ngân, nhà cổ 87 Mã Mây, chợ Đồng Xuân. Trụ sở Đảng ủy, HĐND, UBND phường đặt tại số 126 Hàng Trống. Phường có khoảng 125.000 nhân khẩu.",
    ),
    D(
        "c102",
        "hadong",
        "page",
        GT2,
        "2025-07-01",
        "Giới thiệu phường Hà Đông",
        "Phường Hà Đông được thành lập trên cơ sở sắp xếp các phường Quang Trung, Nguyễn Trãi, Hà Cầu, Vạn Phúc và một phần các phường lân cận của quận Hà Đông cũ.",
        "Phường Hà Đông là trung tâm hành chính, thương mại của khu vực phía Tây Nam Thủ đô. Trên địa bàn có làng lụa Vạn Phúc, Bệnh viện Đa khoa Hà Đông và ga cuối tuyến đường sắt đô thị Cát Linh - Hà Đông. Trụ sở UBND phường Hà Đông đặt tại số 2 Hoàng Văn Thụ.",
    ),
    D(
        "c103",
        "hanoi",
        "page",
        GT2,
        "2025-07-01",
        "Khái quát về thành phố Hà Nội",
        "Hà Nội là Thủ đô của nước Cộng hòa xã hội chủ nghĩa Việt Nam, trung tâm chính trị - hành chính quốc gia, có 126 đơn vị hành chính cấp xã.",
        "Thành phố Hà Nội có diện tích khoảng 3.359 km², dân số hơn 8,5 triệu người. Từ ngày 01/7/2025, Hà Nội tổ chức chính quyền địa phương hai cấp gồm Thành phố và 126 xã, phường. Hà Nội là thành phố vì hòa bình, thành phố sáng tạo của UNESCO với bề dày hơn 1.000 năm văn hiến.",
    ),
    D(
        "c104",
        "hanoi",
        "page",
        GT2,
        "2024-09-30",
        "Hồ Gươm - trái tim của Thủ đô",
        "Hồ Gươm, còn gọi là hồ Hoàn Kiếm, gắn với truyền thuyết vua Lê Lợi trả gươm thần cho Rùa Vàng.",
        "Hồ Hoàn Kiếm có diện tích khoảng 12 héc ta, nằm giữa trung tâm Hà Nội. Trên hồ có Tháp Rùa, đền Ngọc Sơn nối với bờ bằng cầu Thê Húc sơn đỏ. Quanh Hồ Gươm là các công trình kiến trúc Pháp, khu phố cổ và không gian đi bộ cuối tuần. Hồ Gươm là nơi diễn ra các sự kiện văn hóa lớn của Thủ đô.",
    ),
    D(
        "c105",
        "badinh",
        "page",
        GT2,
        "2025-07-02",
        "Cơ cấu tổ chức Ủy ban nhân dân phường Ba Đình",
        "Ủy ban nhân dân phường Ba Đình gồm Chủ tịch, các Phó Chủ tịch, Văn phòng HĐND và UBND, Phòng Kinh tế, Hạ tầng và Đô thị, Phòng Văn hóa - Xã hội và Trung tâm Phục vụ hành chính công phường.",
        "Văn phòng HĐND và UBND phường tham mưu tổng hợp, tiếp công dân và kiểm soát thủ tục hành chính. Phòng Kinh tế, Hạ tầng và Đô thị phụ trách quy hoạch, cấp giấy phép xây dựng, đất đai, môi trường. Phòng Văn hóa - Xã hội phụ trách giáo dục, y tế, lao động, chính sách xã hội. Trung tâm Phục vụ hành chính công phường tiếp nhận và trả kết quả hồ sơ.",
    ),
    D(
        "c106",
        "ttpvhcc",
        "page",
        GT2,
        "2025-07-01",
        "Thông tin liên hệ Trung tâm Phục vụ hành chính công thành phố Hà Nội",
        "Địa chỉ, số điện thoại, giờ làm việc của Trung tâm và các chi nhánh tiếp nhận hồ sơ thủ tục hành chính.",
        "Trụ sở Trung tâm Phục vụ hành chính công thành phố Hà Nội đặt tại số 258 Võ Chí Công, phường Phú Thượng. Tổng đài hỗ trợ 1022 hoạt động 24/7. Trung tâm làm việc từ thứ Hai đến thứ Sáu và sáng thứ Bảy, tiếp nhận hồ sơ của các sở, ngành theo cơ chế một cửa.",
    ),
    D(
        "c107",
        "hanoi",
        "infographic",
        TT,
        "2025-07-18",
        "Infographic: 5 bước đăng ký kết hôn trực tuyến",
        "Đăng nhập Cổng Dịch vụ công, chọn thủ tục đăng ký kết hôn, khai thông tin, hẹn ngày và nhận Giấy chứng nhận kết hôn.",
        "Bước 1: đăng nhập Cổng Dịch vụ công quốc gia bằng tài khoản VNeID. Bước 2: chọn thủ tục đăng ký kết hôn, chọn UBND xã, phường nơi đăng ký. Bước 3: khai tờ khai điện tử và đính kèm giấy tờ. Bước 4: nhận lịch hẹn. Bước 5: hai bên có mặt tại UBND để ký và nhận Giấy chứng nhận kết hôn.",
    ),
    D(
        "c108",
        "hanoi",
        "video",
        TT,
        "2025-04-15",
        "Video: Hướng dẫn cấp đổi giấy phép lái xe trên ứng dụng VNeID",
        "Video hướng dẫn từng bước nộp hồ sơ đổi giấy phép lái xe trực tuyến, thanh toán lệ phí và nhận kết quả.",
        "Video do Công an thành phố Hà Nội thực hiện, hướng dẫn người dân kiểm tra giấy khám sức khỏe đã đồng bộ, chọn hạng giấy phép lái xe cần đổi và địa chỉ nhận. Thời lượng video 4 phút, có phụ đề tiếng Việt.",
    ),
    D(
        "c109",
        "hoankiem",
        "gallery",
        DL,
        "2025-09-01",
        "Ảnh: Phố cổ Hà Nội rực rỡ cờ hoa mừng Quốc khánh",
        "Các tuyến phố Hàng Mã, Hàng Đào, Hàng Ngang trong khu phố cổ treo cờ đỏ sao vàng mừng 80 năm Quốc khánh.",
        "Những ngày cuối tháng Tám, khu phố cổ Hà Nội ngập tràn sắc đỏ của cờ Tổ quốc. Phố Hàng Ngang, nơi có Nhà lưu niệm Chủ tịch Hồ Chí Minh viết bản Tuyên ngôn Độc lập, thu hút đông đảo người dân và du khách đến chụp ảnh.",
    ),
    D(
        "c110",
        "hanoi",
        "infographic",
        TB,
        "2025-12-23",
        "Infographic: Lịch nghỉ Tết Nguyên đán Bính Ngọ 2026",
        "Cán bộ, công chức nghỉ 9 ngày từ 14/02 đến 22/02/2026; học sinh nghỉ theo kế hoạch của Sở Giáo dục và Đào tạo.",
        "Lịch nghỉ Tết Nguyên đán Bính Ngọ 2026: nghỉ từ thứ Bảy 14/02/2026 (27 tháng Chạp) đến hết Chủ nhật 22/02/2026 (mùng 6 tháng Giêng). Đi làm trở lại từ thứ Hai 23/02/2026. Học sinh Hà Nội nghỉ Tết từ ngày 12/02 đến hết ngày 22/02/2026.",
    ),
    D(
        "c111",
        "hanoi",
        "announcement",
        TB,
        "2023-12-20",
        "Thông báo lịch nghỉ Tết Nguyên đán Giáp Thìn năm 2024",
        "Cán bộ, công chức, viên chức nghỉ Tết Nguyên đán Giáp Thìn 7 ngày, từ ngày 08/02/2024 đến hết ngày 14/02/2024.",
        "Cán bộ, công chức, viên chức nghỉ Tết Nguyên đán Giáp Thìn từ thứ Năm ngày 08/02/2024, tức 29 tháng Chạp năm Quý Mão, đến hết thứ Tư ngày 14/02/2024, tức mùng 5 tháng Giêng năm Giáp Thìn. Các cơ quan bố trí trực bảo đảm giải quyết công việc liên tục.",
    ),
    D(
        "c112",
        "soxaydung",
        "page",
        GT2,
        "2025-07-05",
        "Chức năng, nhiệm vụ của Sở Xây dựng Hà Nội",
        "Sở Xây dựng tham mưu UBND Thành phố quản lý nhà nước về xây dựng, giao thông vận tải, nhà ở, hạ tầng kỹ thuật đô thị.",
        "Từ năm 2025, Sở Xây dựng được hợp nhất với Sở Giao thông vận tải. Sở cấp giấy phép xây dựng công trình cấp I, cấp II, thẩm định thiết kế, quản lý giá vật liệu xây dựng và tổ chức giao thông. Sở không còn thực hiện cấp đổi giấy phép lái xe; nhiệm vụ này đã chuyển sang cơ quan Công an.",
    ),
    D(
        "c113",
        "hanoi",
        "announcement",
        TB,
        "2025-02-27",
        "Thông báo về việc tiếp nhận hồ sơ cấp đổi giấy phép lái xe từ ngày 01/3/2025",
        "Từ ngày 01/3/2025, người dân nộp hồ sơ cấp đổi, cấp lại giấy phép lái xe tại Công an thành phố Hà Nội thay vì Sở Giao thông vận tải.",
        "Thực hiện Luật Trật tự, an toàn giao thông đường bộ, Sở Giao thông vận tải dừng tiếp nhận hồ sơ cấp đổi giấy phép lái xe từ ngày 01/3/2025. Người dân nộp hồ sơ tại Phòng Cảnh sát giao thông Công an Thành phố, các điểm tiếp nhận tại Công an cấp xã được phân công hoặc trực tuyến. Hồ sơ đã nộp trước ngày 01/3/2025 tiếp tục được giải quyết.",
    ),
    D(
        "c114",
        "sotuphap",
        "news",
        HD,
        "2025-11-28",
        "Số vụ ly hôn tăng, Hà Nội đẩy mạnh hòa giải ở cơ sở",
        "Sở Tư pháp đề nghị các tổ hòa giải ở cơ sở chú trọng hòa giải mâu thuẫn hôn nhân gia đình, hạn chế ly hôn.",
        "Năm 2025, Tòa án nhân dân các cấp tại Hà Nội thụ lý hơn 18.000 vụ ly hôn, tăng 6% so với năm trước. Nguyên nhân chủ yếu do mâu thuẫn về kinh tế, lối sống. Các tổ hòa giải ở cơ sở được bồi dưỡng kỹ năng hòa giải tranh chấp hôn nhân gia đình, tư vấn pháp luật cho các cặp vợ chồng.",
    ),
]

# --- template families: the same kind of item per ward, commune or month ----------------------

WARDS = (
    ("badinh", "Ba Đình"), ("hoankiem", "Hoàn Kiếm"), ("cuanam", "Cửa Nam"), ("tayho", "Tây Hồ"),
    ("longbien", "Long Biên"), ("caugiay", "Cầu Giấy"), ("dongda", "Đống Đa"),
    ("haibatrung", "Hai Bà Trưng"), ("hoangmai", "Hoàng Mai"), ("thanhxuan", "Thanh Xuân"),
    ("hadong", "Hà Đông"), ("kienhung", "Kiến Hưng"), ("yenhoa", "Yên Hòa"), ("lang", "Láng"),
    ("kimlien", "Kim Liên"), ("bachmai", "Bạch Mai"), ("phuongliet", "Phương Liệt"),
    ("tuliem", "Từ Liêm"), ("sontay", "Sơn Tây"), ("ngocha", "Ngọc Hà"),
)  # fmt: skip
COMMUNES = (
    ("donganh", "Đông Anh"), ("gialam", "Gia Lâm"), ("socson", "Sóc Sơn"), ("melinh", "Mê Linh"),
    ("bavi", "Ba Vì"), ("thachthat", "Thạch Thất"), ("quocoai", "Quốc Oai"),
    ("thanhtri", "Thanh Trì"), ("thuongtin", "Thường Tín"), ("phuxuyen", "Phú Xuyên"),
    ("myduc", "Mỹ Đức"), ("danphuong", "Đan Phượng"), ("hoaiduc", "Hoài Đức"),
    ("battrang", "Bát Tràng"), ("thanhoai", "Thanh Oai"),
)  # fmt: skip

#: (site, type, category, date, title, summary, body, keywords): a family item before its id.
Item = tuple[str, str, str, str, str, str, str, str]


def reception_days() -> list[Item]:
    """Monthly citizen reception by each ward chairman ("UBND" in titles, spelled out in text)."""
    out: list[Item] = []
    for i, (slug, name) in enumerate(WARDS):
        year, month = (2025, 8 + i % 5) if i < 12 else (2026, 1 + i % 3)
        day = 10 + i % 15
        out.append((
            slug, "announcement", TB, f"{year}-{month:02d}-{day - 7:02d}",
            f"Lịch tiếp công dân của Chủ tịch UBND phường {name} tháng {month}/{year}",
            f"Chủ tịch Ủy ban nhân dân phường {name} tiếp công dân định kỳ ngày {day}/{month}/{year} tại trụ sở phường.",
            f"Chủ tịch Ủy ban nhân dân phường {name} tiếp công dân định kỳ vào ngày {day}/{month}/{year}, từ 8 giờ đến 11 giờ 30. "
            "Công dân có khiếu nại, tố cáo, kiến nghị, phản ánh liên hệ trước với bộ phận tiếp công dân để đăng ký. "
            "Khi đến, công dân mang theo giấy tờ tùy thân và tài liệu có liên quan.",
            "",
        ))  # fmt: skip
    return out


def tthc_results() -> list[Item]:
    """Quarterly results: the abbreviation TTHC only, never spelled out."""
    out: list[Item] = []
    quarters = (("III", 2025, "10"), ("IV", 2025, "01"), ("I", 2026, "04"))
    for i, (slug, name) in enumerate(WARDS):
        quarter, year, month = quarters[i % 3]
        published_year = year + 1 if month == "01" else year
        received_vi = f"{1800 + 97 * i:,}".replace(",", ".")  # Vietnamese thousands: 1.800
        online = 70 + i % 20
        out.append((
            slug, "news", CCHC, f"{published_year}-{month}-{5 + i % 20:02d}",
            f"Kết quả giải quyết TTHC quý {quarter}/{year} tại phường {name}",
            f"Phường {name} tiếp nhận {received_vi} hồ sơ TTHC trong quý {quarter}/{year}, {online}% nộp trực tuyến.",
            f"Trong quý {quarter}/{year}, Trung tâm Phục vụ hành chính công phường {name} tiếp nhận {received_vi} hồ sơ TTHC, "
            + f"tỷ lệ giải quyết đúng hạn đạt {95 + i % 5}%. Lĩnh vực hộ tịch, chứng thực chiếm hơn một nửa số hồ sơ. "
            "Phường tiếp tục rà soát, đơn giản hóa TTHC và hỗ trợ người dân nộp hồ sơ trực tuyến.",
            "",
        ))  # fmt: skip
    return out


def dialogues() -> list[Item]:
    """Dialogues on administrative reform: "thủ tục hành chính" spelled out, never TTHC."""
    out: list[Item] = []
    topics = ("đất đai, xây dựng", "hộ tịch, chứng thực", "đăng ký kinh doanh", "cư trú, căn cước")
    for i, (slug, name) in enumerate(WARDS):
        topic = topics[i % len(topics)]
        year = 2025 if i % 2 == 0 else 2026
        month = 11 if year == 2025 else 3
        out.append((
            slug, "news", CCHC, f"{year}-{month:02d}-{3 + i:02d}",
            f"Phường {name} đối thoại với người dân về cải cách thủ tục hành chính",
            f"Người dân phường {name} kiến nghị rút ngắn thời gian giải quyết thủ tục hành chính lĩnh vực {topic}.",
            f"Tại hội nghị đối thoại, lãnh đạo Ủy ban nhân dân phường {name} tiếp thu ý kiến của người dân về thủ tục hành chính lĩnh vực {topic}. "
            "Nhiều ý kiến đề nghị công khai rõ thành phần hồ sơ, không yêu cầu nộp giấy tờ đã có trong cơ sở dữ liệu. "
            "Phường cam kết giải quyết thủ tục hành chính đúng hạn và xin lỗi người dân khi hồ sơ bị trễ hạn.",
            "",
        ))  # fmt: skip
    return out


def cleanups() -> list[Item]:
    """Communes' general clean-ups, some against dengue fever."""
    out: list[Item] = []
    for i, (slug, name) in enumerate(COMMUNES):
        dengue = i % 3 == 0
        date = f"2025-{8 + i % 4:02d}-{2 + i:02d}" if i < 10 else f"2026-{3 + i % 2:02d}-{i:02d}"
        extra = " và diệt bọ gậy phòng chống sốt xuất huyết" if dengue else ""
        out.append((
            slug, "news", MT, date,
            f"Xã {name} ra quân tổng vệ sinh môi trường{extra}",
            f"Hàng nghìn đoàn viên, hội viên và người dân xã {name} tham gia thu gom rác thải, khơi thông cống rãnh.",
            f"UBND xã {name} phát động ra quân tổng vệ sinh môi trường tại các thôn, khu dân cư. "
            f"Lực lượng tham gia thu gom hơn {20 + i * 3} tấn rác thải, phát quang bụi rậm, nạo vét kênh mương. "
            + ("Các hộ gia đình được hướng dẫn lật úp dụng cụ chứa nước, diệt loăng quăng, bọ gậy để phòng chống dịch sốt xuất huyết." if dengue
               else "Xã duy trì ngày Chủ nhật xanh hằng tháng, vận động người dân không đổ rác thải xuống kênh mương."),
            "",
        ))  # fmt: skip
    return out


def recruitments() -> list[Item]:
    out: list[Item] = []
    for i, (slug, name) in enumerate(WARDS[::2]):
        year = 2025 if i < 5 else 2026
        posts = 3 + i % 4
        out.append((
            slug, "announcement", TB, f"{year}-{(10 if year == 2025 else 2) + i % 3:02d}-{8 + i:02d}",
            f"Thông báo tuyển dụng công chức phường {name} năm {year}",
            f"UBND phường {name} tuyển dụng {posts} công chức làm việc tại các phòng chuyên môn và Trung tâm Phục vụ hành chính công phường.",
            f"Ủy ban nhân dân phường {name} thông báo tuyển dụng {posts} chỉ tiêu công chức ngạch chuyên viên năm {year}. "
            "Người dự tuyển có trình độ đại học trở lên phù hợp vị trí việc làm, có đủ sức khỏe và không trong thời gian bị truy cứu trách nhiệm hình sự. "
            "Hồ sơ nộp trực tiếp hoặc qua bưu điện trong 30 ngày kể từ ngày thông báo.",
            "",
        ))  # fmt: skip
    return out


def id_card_days() -> list[Item]:
    """Ward days for the new identity card and VNeID accounts."""
    out: list[Item] = []
    for i, (slug, name) in enumerate(WARDS[:15]):
        out.append((
            slug, "news", CDS, f"2025-{7 + i % 6:02d}-{10 + i:02d}",
            f"Phường {name} tổ chức ngày hội cấp căn cước và kích hoạt định danh điện tử",
            f"Công an phường {name} thu nhận hồ sơ cấp thẻ căn cước, kích hoạt tài khoản VNeID mức độ 2 cho người dân vào cuối tuần.",
            f"Ngày hội do Công an phường {name} phối hợp đoàn thanh niên tổ chức tại trụ sở phường và các tổ dân phố. "
            f"Hơn {300 + 25 * i} người dân được thu nhận hồ sơ cấp thẻ căn cước, trong đó có nhiều trẻ em dưới 14 tuổi. "
            "Người cao tuổi, người khuyết tật được cán bộ đến tận nhà thu nhận hồ sơ.",
            "",
        ))  # fmt: skip
    return out


def material_prices() -> list[Item]:
    """Monthly price bulletins: stone (đá) everywhere, cladding stone (đá ốp lát) in some."""
    out: list[Item] = []
    months = (
        (2023, 3),
        (2023, 9),
        (2024, 3),
        (2024, 9),
        (2025, 3),
        (2025, 6),
        (2025, 9),
        (2026, 2),
    )
    for i, (year, month) in enumerate(months):
        cladding = i % 2 == 0
        stone = "đá dăm, đá hộc" + (", đá ốp lát" if cladding else "")
        out.append((
            "soxaydung", "announcement", XD, f"{year}-{month:02d}-{20 - i:02d}",
            f"Công bố giá vật liệu xây dựng tháng {month}/{year}",
            f"Sở Xây dựng công bố giá xi măng, thép, cát, {stone} trên địa bàn Thành phố tháng {month}/{year}.",
            f"Giá vật liệu xây dựng tháng {month}/{year} được tổng hợp từ báo giá của nhà sản xuất và khảo sát thị trường. "
            f"Giá thép xây dựng {'giảm' if i % 3 == 0 else 'tăng'} nhẹ, giá {stone} ổn định. "
            "Công bố giá là cơ sở để chủ đầu tư lập và quản lý chi phí đầu tư xây dựng.",
            "",
        ))  # fmt: skip
    return out


def diversions() -> list[Item]:
    works = (
        (
            "2023-04-11",
            "thi công hầm chui Lê Văn Lương - Vành đai 3",
            "Lê Văn Lương, Khuất Duy Tiến",
        ),
        ("2023-10-03", "sửa chữa mặt cầu Thăng Long", "cầu Thăng Long, Phạm Văn Đồng"),
        (
            "2024-02-26",
            "thi công ga ngầm S9 tuyến đường sắt đô thị Nhổn - ga Hà Nội",
            "Trần Hưng Đạo, Lê Duẩn",
        ),
        ("2024-07-15", "cải tạo nút giao Ngã Tư Sở", "Trường Chinh, Nguyễn Trãi"),
        ("2024-12-09", "thi công đường Vành đai 4 qua xã Đan Phượng", "quốc lộ 32, đường 417"),
        ("2025-05-05", "tổ chức giải chạy marathon quanh hồ Tây", "Thanh Niên, Lạc Long Quân"),
        ("2025-11-17", "lễ kỷ niệm Ngày Giải phóng Thủ đô", "Điện Biên Phủ, Hùng Vương"),
        (
            "2026-03-09",
            "thi công cầu vượt nút giao Phùng Hưng, phường Hà Đông",
            "Phùng Hưng, Quang Trung",
        ),
    )
    out: list[Item] = []
    for date, work, streets in works:
        out.append((
            "hanoi", "announcement", GT, date,
            f"Phân luồng giao thông phục vụ {work}",
            f"Điều chỉnh tổ chức giao thông trên các tuyến {streets} để phục vụ {work}.",
            f"Sở Xây dựng thông báo phân luồng giao thông phục vụ {work}. Phương tiện đi qua các tuyến {streets} chú ý biển báo, "
            "đi theo hướng dẫn của lực lượng chức năng. Xe buýt được điều chỉnh lộ trình trong thời gian phân luồng.",
            "",
        ))  # fmt: skip
    return out


def bulky_waste() -> list[Item]:
    out: list[Item] = []
    for i, (slug, name) in enumerate(WARDS[1::2][:10] + WARDS[2:4]):
        month = 9 + i % 4
        out.append((
            slug, "announcement", MT, f"2025-{month:02d}-{1 + i:02d}",
            f"Lịch thu gom rác thải cồng kềnh tại phường {name} tháng {month}/2025",
            f"Phường {name} thu gom miễn phí đồ dùng cũ, rác thải cồng kềnh vào sáng Chủ nhật cuối tháng {month}.",
            f"Người dân phường {name} tập kết tủ, giường, đệm, đồ điện tử cũ tại điểm tập kết của tổ dân phố từ 6 giờ đến 9 giờ sáng Chủ nhật cuối tháng. "
            "Không để rác thải cồng kềnh ra vỉa hè, lòng đường ngoài thời gian quy định. Rác thải xây dựng không thuộc diện thu gom miễn phí.",
            "",
        ))  # fmt: skip
    return out


def land_recoveries() -> list[Item]:
    projects = (
        "đường Vành đai 4",
        "trường mầm non",
        "khu tái định cư",
        "trạm biến áp 110kV",
        "nghĩa trang nhân dân",
    )
    out: list[Item] = []
    for i, (slug, name) in enumerate(COMMUNES):
        number = 1400 + 37 * i
        year = 2025 if i < 9 else 2026
        project = projects[i % len(projects)]
        code = f"{number}/QĐ-UBND"
        out.append((
            slug, "document", VB, f"{year}-{7 + i % 6 if year == 2025 else 1 + i % 10:02d}-{6 + i:02d}",
            f"Quyết định số {code} về việc thu hồi đất để thực hiện dự án {project} tại xã {name}",
            f"UBND xã {name} thu hồi {1 + i % 5},{i % 9} héc ta đất nông nghiệp của các hộ gia đình để thực hiện dự án {project}.",
            f"Căn cứ Luật Đất đai năm 2024, Ủy ban nhân dân xã {name} quyết định thu hồi đất của các hộ gia đình, cá nhân để thực hiện dự án {project}. "
            "Người có đất thu hồi được bồi thường, hỗ trợ và tái định cư theo phương án được phê duyệt. "
            "Ban bồi thường, giải phóng mặt bằng có trách nhiệm bàn giao đất trên thực địa.",
            code,
        ))  # fmt: skip
    return out


def one_stop_hours() -> list[Item]:
    """Answers: the one-stop desk's hours, per ward (Hà Đông's is in the core set)."""
    out: list[Item] = []
    wards = [w for w in WARDS if w[0] != "hadong"][:12]
    for i, (slug, name) in enumerate(wards):
        saturday = i % 3 != 2
        out.append((
            slug, "answer", HDP, f"2025-{8 + i % 5:02d}-{12 + i:02d}",
            f"Bộ phận Một cửa phường {name} làm việc vào những ngày nào?",
            f"Một bạn đọc hỏi: Bộ phận Một cửa phường {name} có tiếp nhận hồ sơ vào thứ Bảy không?",
            f"Trả lời: Trung tâm Phục vụ hành chính công phường {name} tiếp nhận hồ sơ từ thứ Hai đến thứ Sáu, sáng từ 8 giờ đến 12 giờ, chiều từ 13 giờ 30 đến 17 giờ"
            + (", và sáng thứ Bảy." if saturday else "; không làm việc thứ Bảy.")
            + " Người dân có thể nộp hồ sơ trực tuyến trên Cổng Dịch vụ công vào bất kỳ thời gian nào.",
            "",
        ))  # fmt: skip
    return out


def year_reviews() -> list[Item]:
    out: list[Item] = []
    for i, (slug, name) in enumerate(WARDS[::2]):
        out.append((
            slug, "news", HD, f"2025-12-{15 + i:02d}",
            f"UBND phường {name} tổng kết công tác năm 2025, triển khai nhiệm vụ năm 2026",
            f"Năm 2025, phường {name} hoàn thành sắp xếp bộ máy chính quyền địa phương hai cấp và các chỉ tiêu kinh tế - xã hội.",
            f"Hội nghị tổng kết đánh giá UBND phường {name} vận hành ổn định sau sắp xếp, giải quyết thủ tục hành chính thông suốt. "
            "Công tác trật tự xây dựng, vệ sinh môi trường, an sinh xã hội được bảo đảm. "
            "Năm 2026, phường tập trung chuyển đổi số, chỉnh trang đô thị và nâng cao sự hài lòng của người dân.",
            "",
        ))  # fmt: skip
    return out


FAMILIES = (
    reception_days, tthc_results, dialogues, cleanups, recruitments, id_card_days,
    material_prices, diversions, bulky_waste, land_recoveries, one_stop_hours, year_reviews,
)  # fmt: skip


def families() -> list[D]:
    """Every family item with a stable id: t001... for articles, q101... for answers."""
    out: list[D] = []
    articles, answers = 0, 100
    for family in FAMILIES:
        for site, type_, category, date, title, summary, body, keywords in family():
            if type_ == "answer":
                answers += 1
                doc_id = f"q{answers:03d}"
            else:
                articles += 1
                doc_id = f"t{articles:03d}"
            out.append(D(doc_id, site, type_, category, date, title, summary, body, keywords))
    return out


def corpus() -> list[SearchDoc]:
    docs = [build(d) for d in [*CORE, *families()]]
    ids = [doc.id for doc in docs]
    if len(set(ids)) != len(ids):
        raise SystemExit("duplicate document ids")
    for doc in docs:
        if doc.type not in TYPES:
            raise SystemExit(f"{doc.id}: unknown type {doc.type}")
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    docs = corpus()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as f:
        for doc in docs:
            f.write(json.dumps(doc.as_json(), ensure_ascii=False) + "\n")
    print(f"{len(docs)} documents -> {args.out}")


if __name__ == "__main__":
    main()
