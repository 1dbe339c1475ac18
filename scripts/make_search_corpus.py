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
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

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
    D("c001", "hanoi", "page", TT, "2025-07-10",
      "Thủ tục cấp giấy phép xây dựng nhà ở riêng lẻ",
      "Trình tự, hồ sơ, thời hạn giải quyết thủ tục cấp giấy phép xây dựng đối với nhà ở riêng lẻ do Ủy ban nhân dân cấp xã thực hiện từ ngày 01/7/2025.",
      "Chủ đầu tư nộp hồ sơ đề nghị cấp giấy phép xây dựng nhà ở riêng lẻ tại Bộ phận Một cửa của Ủy ban nhân dân xã, phường nơi có công trình hoặc nộp trực tuyến trên Cổng Dịch vụ công. Hồ sơ gồm đơn đề nghị cấp giấy phép xây dựng, bản sao giấy tờ chứng minh quyền sử dụng đất và hai bộ bản vẽ thiết kế xây dựng. Thời hạn giải quyết là 15 ngày kể từ ngày nhận đủ hồ sơ hợp lệ. Lệ phí cấp giấy phép xây dựng nhà ở riêng lẻ là 75.000 đồng một giấy phép."),
    D("c002", "hanoi", "page", TT, "2025-07-10",
      "Thủ tục điều chỉnh, gia hạn giấy phép xây dựng",
      "Hướng dẫn điều chỉnh giấy phép xây dựng khi thay đổi thiết kế và gia hạn giấy phép xây dựng khi công trình chưa khởi công.",
      "Trước thời điểm giấy phép xây dựng hết hiệu lực khởi công 30 ngày, nếu công trình chưa được khởi công thì chủ đầu tư phải đề nghị gia hạn. Mỗi giấy phép xây dựng chỉ được gia hạn tối đa hai lần, mỗi lần 12 tháng. Trường hợp thay đổi quy mô, chiều cao hoặc công năng công trình, chủ đầu tư phải đề nghị điều chỉnh giấy phép trước khi thi công phần thay đổi."),
    D("c003", "soxaydung", "page", TT, "2024-05-20",
      "Thủ tục cấp giấy phép xây dựng có thời hạn",
      "Giấy phép xây dựng có thời hạn cấp cho công trình, nhà ở riêng lẻ trong khu vực đã có quy hoạch nhưng chưa thực hiện.",
      "Giấy phép xây dựng có thời hạn được cấp cho công trình nằm trong khu vực đã có quy hoạch phân khu được phê duyệt và công bố nhưng chưa có kế hoạch thực hiện. Thời hạn tồn tại của công trình ghi trong giấy phép phù hợp với kế hoạch thực hiện quy hoạch. Khi Nhà nước thu hồi đất, chủ đầu tư tự phá dỡ công trình và không được bồi thường phần xây dựng theo giấy phép có thời hạn."),
    D("c004", "hadong", "page", TT, "2023-03-15",
      "Hướng dẫn cấp giấy phép xây dựng nhà ở riêng lẻ tại UBND quận Hà Đông",
      "Hướng dẫn cũ áp dụng khi thẩm quyền cấp phép còn thuộc UBND cấp quận; từ ngày 01/7/2025 thực hiện tại UBND phường.",
      "Hộ gia đình, cá nhân xây dựng nhà ở riêng lẻ trên địa bàn quận Hà Đông nộp hồ sơ tại Bộ phận Tiếp nhận và trả kết quả của UBND quận. Phòng Quản lý đô thị thẩm định hồ sơ, kiểm tra thực địa trong 7 ngày làm việc. Thời hạn cấp giấy phép xây dựng là 15 ngày. Nội dung hướng dẫn này đã được thay thế khi chính quyền địa phương hai cấp đi vào hoạt động."),
    D("c005", "hanoi", "page", TT, "2025-03-05",
      "Thủ tục cấp đổi giấy phép lái xe",
      "Từ ngày 01/3/2025, việc cấp đổi giấy phép lái xe do cơ quan Công an thực hiện; người dân có thể nộp hồ sơ trực tuyến trên Cổng Dịch vụ công hoặc ứng dụng VNeID.",
      "Người có giấy phép lái xe hết hạn, bị hỏng hoặc có thay đổi thông tin nộp hồ sơ cấp đổi tại Phòng Cảnh sát giao thông Công an thành phố Hà Nội hoặc nộp trực tuyến. Hồ sơ gồm tờ khai đề nghị cấp đổi, giấy khám sức khỏe của người lái xe và bản chính giấy phép lái xe cũ. Thời hạn cấp đổi không quá 5 ngày làm việc. Lệ phí cấp đổi giấy phép lái xe là 135.000 đồng, nộp trực tuyến được giảm theo quy định."),
    D("c006", "hanoi", "page", TT, "2025-03-05",
      "Thủ tục cấp lại giấy phép lái xe bị mất",
      "Người bị mất giấy phép lái xe còn thời hạn hoặc quá hạn dưới 12 tháng được cấp lại mà không phải sát hạch.",
      "Giấy phép lái xe bị mất còn thời hạn sử dụng hoặc quá thời hạn dưới 12 tháng, có hồ sơ gốc phù hợp, thì được xét cấp lại không phải sát hạch. Người đề nghị nộp tờ khai và giấy khám sức khỏe tại cơ quan Công an cấp giấy phép lái xe. Sau 5 ngày làm việc, nếu không phát hiện giấy phép đang bị cơ quan chức năng thu giữ thì được cấp lại."),
    D("c007", "hanoi", "page", TT, "2023-06-12",
      "Cấp đổi giấy phép lái xe tại Sở Giao thông vận tải Hà Nội",
      "Hướng dẫn đổi giấy phép lái xe do ngành Giao thông vận tải cấp, áp dụng trước ngày 01/3/2025.",
      "Người dân đổi giấy phép lái xe nộp hồ sơ tại các điểm tiếp nhận của Sở Giao thông vận tải Hà Nội hoặc trên Cổng Dịch vụ công trực tuyến mức độ 4. Giấy phép lái xe bằng giấy bìa phải đổi sang thẻ vật liệu PET theo lộ trình. Thời gian trả kết quả là 5 ngày làm việc. Từ ngày 01/3/2025 nhiệm vụ này chuyển sang Bộ Công an."),
    D("c008", "hanoi", "page", TT, "2025-07-08",
      "Thủ tục đăng ký kết hôn",
      "Đăng ký kết hôn giữa công dân Việt Nam cư trú trong nước thực hiện tại UBND cấp xã nơi cư trú của một trong hai bên, trả kết quả ngay trong ngày.",
      "Hai bên nam, nữ nộp tờ khai đăng ký kết hôn theo mẫu và xuất trình giấy tờ tùy thân tại Ủy ban nhân dân xã, phường nơi một trong hai bên cư trú. Trường hợp hồ sơ đầy đủ, công chức tư pháp - hộ tịch ghi vào Sổ hộ tịch và hai bên cùng ký vào Giấy chứng nhận kết hôn ngay trong ngày. Đăng ký kết hôn không mất lệ phí. Người dân có thể nộp hồ sơ đăng ký kết hôn trực tuyến trên Cổng Dịch vụ công quốc gia."),
    D("c009", "sotuphap", "page", TT, "2025-07-08",
      "Thủ tục đăng ký kết hôn có yếu tố nước ngoài",
      "Đăng ký kết hôn giữa công dân Việt Nam với người nước ngoài được thực hiện tại UBND cấp xã từ ngày 01/7/2025.",
      "Hồ sơ đăng ký kết hôn có yếu tố nước ngoài gồm tờ khai, giấy xác nhận tình trạng hôn nhân của người nước ngoài đã được hợp pháp hóa lãnh sự, giấy xác nhận của tổ chức y tế về việc không mắc bệnh tâm thần và bản sao hộ chiếu. Thời hạn giải quyết là 10 ngày làm việc. Lệ phí do Hội đồng nhân dân Thành phố quy định."),
    D("c010", "sotuphap", "page", TT, "2024-09-18",
      "Thủ tục cấp giấy xác nhận tình trạng hôn nhân",
      "Giấy xác nhận tình trạng hôn nhân dùng để đăng ký kết hôn hoặc mục đích khác, cấp tại UBND cấp xã nơi thường trú.",
      "Người yêu cầu nộp tờ khai cấp giấy xác nhận tình trạng hôn nhân tại UBND xã, phường nơi thường trú. Trường hợp đã ly hôn hoặc người vợ, chồng đã chết thì xuất trình bản án, quyết định ly hôn hoặc trích lục khai tử. Thời hạn giải quyết là 3 ngày làm việc. Giấy xác nhận có giá trị 6 tháng kể từ ngày cấp."),
    D("c011", "hanoi", "page", TT, "2025-07-08",
      "Thủ tục đăng ký khai sinh",
      "Cha, mẹ có trách nhiệm đăng ký khai sinh cho con trong 60 ngày kể từ ngày sinh tại UBND cấp xã nơi cư trú của cha hoặc mẹ.",
      "Người đi đăng ký khai sinh nộp tờ khai và giấy chứng sinh do cơ sở y tế cấp. Trường hợp không có giấy chứng sinh thì nộp văn bản của người làm chứng xác nhận về việc sinh. Công chức tư pháp - hộ tịch cấp Giấy khai sinh ngay trong ngày và cấp số định danh cá nhân cho trẻ. Đăng ký khai sinh đúng hạn được miễn lệ phí."),
    D("c012", "dean06", "page", TT, "2024-04-02",
      "Liên thông thủ tục đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi",
      "Nhóm thủ tục liên thông giúp cha mẹ chỉ khai một lần trên Cổng Dịch vụ công hoặc VNeID để con được khai sinh, đăng ký thường trú và cấp thẻ bảo hiểm y tế.",
      "Thực hiện Đề án 06, thành phố Hà Nội triển khai liên thông điện tử ba thủ tục đăng ký khai sinh, đăng ký thường trú và cấp thẻ bảo hiểm y tế cho trẻ dưới 6 tuổi. Cha mẹ đăng nhập Cổng Dịch vụ công quốc gia bằng tài khoản định danh điện tử, điền một biểu mẫu và nhận kết quả qua thư điện tử hoặc tại Bộ phận Một cửa. Thời gian giải quyết cả ba thủ tục không quá 5 ngày làm việc."),
    D("c013", "hanoi", "page", TT, "2025-07-08",
      "Thủ tục đăng ký khai tử",
      "Người thân có trách nhiệm đăng ký khai tử trong 15 ngày kể từ ngày người thân mất.",
      "Hồ sơ đăng ký khai tử gồm tờ khai và giấy báo tử hoặc giấy tờ thay thế giấy báo tử. Ủy ban nhân dân cấp xã nơi cư trú cuối cùng của người chết thực hiện đăng ký khai tử và cấp trích lục khai tử ngay trong ngày. Đăng ký khai tử đúng hạn được miễn lệ phí."),
    D("c014", "hanoi", "page", TT, "2024-07-01",
      "Thủ tục cấp thẻ căn cước",
      "Từ ngày 01/7/2024, Luật Căn cước có hiệu lực; công dân đề nghị cấp thẻ căn cước tại Công an cấp xã hoặc Công an thành phố.",
      "Công dân Việt Nam từ đủ 14 tuổi phải làm thủ tục cấp thẻ căn cước; công dân dưới 14 tuổi được cấp theo nhu cầu. Người đề nghị đến cơ quan quản lý căn cước, được thu nhận vân tay, ảnh khuôn mặt và mống mắt. Thẻ căn cước công dân đã cấp vẫn có giá trị sử dụng đến hết thời hạn in trên thẻ. Thời hạn cấp thẻ căn cước là 7 ngày làm việc."),
    D("c015", "hanoi", "page", TT, "2023-02-14",
      "Thủ tục cấp thẻ căn cước công dân gắn chip",
      "Hướng dẫn cấp mới, cấp đổi thẻ căn cước công dân gắn chíp điện tử theo Luật Căn cước công dân năm 2014.",
      "Công dân từ đủ 14 tuổi đến Công an quận, huyện hoặc điểm cấp lưu động để làm thủ tục cấp căn cước công dân gắn chip. Cán bộ thu nhận thông tin, chụp ảnh, lấy vân tay và hẹn trả thẻ trong 7 ngày làm việc. Lệ phí cấp đổi từ chứng minh nhân dân sang căn cước công dân là 30.000 đồng. Hướng dẫn này áp dụng đến ngày 30/6/2024."),
    D("c016", "hanoi", "page", TT, "2025-07-15",
      "Thủ tục đăng ký thường trú",
      "Công dân có chỗ ở hợp pháp đăng ký thường trú tại Công an cấp xã nơi có chỗ ở, có thể nộp trực tuyến.",
      "Hồ sơ đăng ký thường trú gồm tờ khai thay đổi thông tin cư trú và giấy tờ chứng minh chỗ ở hợp pháp. Trường hợp đăng ký vào chỗ ở của người khác thì cần ý kiến đồng ý của chủ hộ hoặc chủ sở hữu. Cơ quan đăng ký cư trú cập nhật thông tin vào Cơ sở dữ liệu về cư trú trong 7 ngày làm việc. Sổ hộ khẩu giấy không còn được sử dụng từ ngày 01/01/2023."),
    D("c017", "hanoi", "page", TT, "2025-07-15",
      "Thủ tục đăng ký tạm trú",
      "Người đến sinh sống tại chỗ ở hợp pháp ngoài nơi thường trú từ 30 ngày trở lên phải đăng ký tạm trú.",
      "Sinh viên, người lao động thuê trọ nộp tờ khai thay đổi thông tin cư trú kèm hợp đồng thuê nhà tại Công an phường, xã nơi tạm trú hoặc qua ứng dụng VNeID. Thời hạn tạm trú tối đa là 2 năm và có thể gia hạn nhiều lần. Thời gian giải quyết là 3 ngày làm việc."),
    D("c018", "hanoi", "page", TT, "2025-08-01",
      "Thủ tục đăng ký thành lập hộ kinh doanh",
      "Cá nhân, thành viên hộ gia đình đăng ký hộ kinh doanh tại UBND cấp xã nơi đặt trụ sở để được cấp Giấy chứng nhận đăng ký hộ kinh doanh.",
      "Người thành lập hộ kinh doanh nộp giấy đề nghị đăng ký hộ kinh doanh, bản sao giấy tờ pháp lý của chủ hộ và biên bản họp thành viên hộ gia đình nếu có. Trong 3 ngày làm việc, cơ quan đăng ký kinh doanh cấp Giấy chứng nhận đăng ký hộ kinh doanh, thường được gọi là giấy phép kinh doanh hộ cá thể. Lệ phí đăng ký là 100.000 đồng, miễn lệ phí khi nộp trực tuyến."),
    D("c019", "sotaichinh", "page", TT, "2025-04-10",
      "Thủ tục đăng ký thành lập doanh nghiệp tư nhân",
      "Hướng dẫn đăng ký doanh nghiệp qua Hệ thống thông tin quốc gia về đăng ký doanh nghiệp, nhận Giấy chứng nhận đăng ký doanh nghiệp trong 3 ngày làm việc.",
      "Người thành lập doanh nghiệp nộp hồ sơ đăng ký doanh nghiệp trực tuyến bằng tài khoản định danh điện tử. Phòng Đăng ký kinh doanh thuộc Sở Tài chính xem xét tính hợp lệ của hồ sơ và cấp Giấy chứng nhận đăng ký doanh nghiệp. Nhiều người vẫn quen gọi giấy chứng nhận này là giấy phép kinh doanh. Doanh nghiệp phải công bố nội dung đăng ký trên Cổng thông tin quốc gia."),
    D("c020", "socongthuong", "page", TT, "2024-10-22",
      "Thủ tục cấp giấy phép bán lẻ rượu",
      "Thương nhân kinh doanh bán lẻ rượu có độ cồn từ 5,5 độ trở lên phải có giấy phép bán lẻ rượu.",
      "Hồ sơ đề nghị cấp giấy phép bán lẻ rượu gồm đơn đề nghị, bản sao Giấy chứng nhận đăng ký doanh nghiệp hoặc hộ kinh doanh và tài liệu chứng minh quyền sử dụng địa điểm kinh doanh. Sở Công Thương thẩm định trong 10 ngày làm việc. Giấy phép có thời hạn 5 năm."),
    D("c021", "sotuphap", "page", TT, "2025-07-20",
      "Thủ tục chứng thực bản sao từ bản chính",
      "Người dân chứng thực bản sao giấy tờ tại UBND cấp xã, Phòng Tư pháp hoặc tổ chức hành nghề công chứng; lệ phí 2.000 đồng một trang.",
      "Người yêu cầu chứng thực xuất trình bản chính và bản sao cần chứng thực. Trường hợp chỉ xuất trình bản chính thì cơ quan chứng thực chụp từ bản chính để thực hiện chứng thực. Lệ phí chứng thực bản sao từ bản chính là 2.000 đồng một trang, từ trang thứ ba trở đi là 1.000 đồng một trang. Kết quả được trả trong ngày, trường hợp nhiều giấy tờ thì không quá 2 ngày làm việc."),
    D("c022", "sotuphap", "page", TT, "2024-06-03",
      "Thủ tục chứng thực chữ ký trong giấy tờ, văn bản",
      "Chứng thực chữ ký là việc cơ quan có thẩm quyền chứng thực chữ ký trong giấy tờ là chữ ký của người yêu cầu.",
      "Người yêu cầu chứng thực chữ ký phải ký trước mặt người thực hiện chứng thực và xuất trình giấy tờ tùy thân còn giá trị. Lệ phí chứng thực chữ ký là 10.000 đồng một trường hợp. Không chứng thực chữ ký trong giấy tờ có nội dung trái pháp luật hoặc đạo đức xã hội."),
    D("c023", "sotuphap", "page", TT, "2025-02-11",
      "Thủ tục cấp phiếu lý lịch tư pháp",
      "Công dân yêu cầu cấp phiếu lý lịch tư pháp số 1, số 2 tại Sở Tư pháp hoặc trực tuyến qua VNeID.",
      "Người yêu cầu cấp phiếu lý lịch tư pháp nộp tờ khai và bản chụp giấy tờ tùy thân. Từ năm 2025, Hà Nội thí điểm cấp phiếu lý lịch tư pháp trên ứng dụng VNeID, không cần xuất trình giấy tờ. Thời hạn cấp phiếu không quá 10 ngày. Lệ phí là 200.000 đồng một lần, sinh viên và người có công được giảm."),
    D("c024", "hanoi", "page", TT, "2025-01-06",
      "Thủ tục đăng ký tham gia bảo hiểm xã hội tự nguyện",
      "Công dân từ đủ 15 tuổi không thuộc đối tượng tham gia bảo hiểm xã hội bắt buộc được đăng ký tham gia bảo hiểm xã hội tự nguyện.",
      "Người tham gia nộp tờ khai tham gia bảo hiểm xã hội tự nguyện tại cơ quan bảo hiểm xã hội, đại lý thu hoặc trực tuyến. Người tham gia được chọn mức thu nhập làm căn cứ đóng và phương thức đóng hằng tháng, 3 tháng, 6 tháng hoặc 12 tháng. Nhà nước hỗ trợ một phần tiền đóng cho người thuộc hộ nghèo, hộ cận nghèo. Sổ bảo hiểm xã hội được cấp trong 5 ngày làm việc."),
    D("c025", "hanoi", "page", TT, "2025-01-06",
      "Thủ tục cấp lại, đổi thẻ bảo hiểm y tế",
      "Người có thẻ bảo hiểm y tế bị mất, hỏng hoặc thay đổi thông tin được cấp lại, đổi thẻ tại cơ quan bảo hiểm xã hội.",
      "Người tham gia bảo hiểm y tế có thể sử dụng căn cước hoặc ứng dụng VNeID thay cho thẻ bảo hiểm y tế giấy khi đi khám chữa bệnh. Trường hợp cần thẻ giấy, người dân nộp tờ khai đề nghị cấp lại, đổi thẻ tại Bảo hiểm xã hội cơ sở. Thời hạn cấp lại là 7 ngày làm việc. Người tham gia không phải nộp phí cấp lại thẻ."),
    D("c026", "hanoi", "page", TT, "2024-08-12",
      "Thủ tục giải quyết hưởng chế độ thai sản",
      "Lao động nữ sinh con, người lao động nhận nuôi con nuôi dưới 6 tháng tuổi được hưởng chế độ thai sản của bảo hiểm xã hội.",
      "Người lao động nộp bản sao giấy khai sinh của con cho người sử dụng lao động. Người sử dụng lao động lập danh sách đề nghị và nộp cho cơ quan bảo hiểm xã hội. Thời hạn giải quyết là 6 ngày làm việc. Mức hưởng một tháng bằng 100% mức bình quân tiền lương tháng đóng bảo hiểm xã hội của 6 tháng liền kề trước khi nghỉ việc."),
    D("c027", "sonnmt", "page", TT, "2025-08-05",
      "Thủ tục cấp giấy chứng nhận quyền sử dụng đất lần đầu",
      "Hộ gia đình, cá nhân đang sử dụng đất đề nghị cấp giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất lần đầu.",
      "Người sử dụng đất nộp đơn đăng ký đất đai và giấy tờ về quyền sử dụng đất tại Bộ phận Một cửa UBND cấp xã hoặc Văn phòng đăng ký đất đai. Thời hạn giải quyết không quá 20 ngày làm việc, không kể thời gian người sử dụng đất thực hiện nghĩa vụ tài chính. Giấy chứng nhận theo mẫu mới có mã QR để tra cứu thông tin thửa đất."),
    D("c028", "sonnmt", "page", TT, "2025-08-05",
      "Thủ tục đăng ký biến động đất đai khi chuyển nhượng, tặng cho",
      "Khi chuyển nhượng, tặng cho, thừa kế quyền sử dụng đất, người sử dụng đất phải đăng ký biến động trong 30 ngày.",
      "Hồ sơ gồm đơn đăng ký biến động, hợp đồng chuyển nhượng hoặc tặng cho đã công chứng, chứng thực và bản gốc giấy chứng nhận đã cấp. Văn phòng đăng ký đất đai chỉnh lý biến động hoặc cấp giấy chứng nhận mới trong 10 ngày làm việc. Người chuyển nhượng nộp thuế thu nhập cá nhân và lệ phí trước bạ theo quy định."),
    D("c029", "hanoi", "page", TT, "2025-07-25",
      "Thủ tục hưởng trợ cấp xã hội hằng tháng",
      "Người cao tuổi, người khuyết tật, trẻ em mồ côi thuộc diện bảo trợ xã hội được hưởng trợ cấp xã hội hằng tháng.",
      "Đối tượng hoặc người giám hộ nộp tờ khai đề nghị trợ giúp xã hội tại UBND cấp xã nơi cư trú. Trong 10 ngày làm việc, Hội đồng xét duyệt xem xét và Chủ tịch UBND cấp xã quyết định trợ cấp. Mức chuẩn trợ cấp xã hội của Hà Nội là 650.000 đồng một tháng, nhân với hệ số theo từng đối tượng."),
    D("c030", "ttpvhcc", "page", TT, "2025-09-01",
      "Hướng dẫn nộp hồ sơ thủ tục hành chính trực tuyến trên Cổng Dịch vụ công quốc gia",
      "Các bước đăng nhập bằng tài khoản định danh điện tử VNeID, chọn thủ tục, nộp hồ sơ và thanh toán lệ phí trực tuyến.",
      "Người dân truy cập Cổng Dịch vụ công quốc gia, đăng nhập bằng tài khoản định danh điện tử mức độ 2. Chọn thủ tục hành chính cần thực hiện, chọn cơ quan giải quyết là sở, ngành hoặc UBND xã, phường của Hà Nội. Điền tờ khai điện tử, đính kèm bản chụp giấy tờ và thanh toán phí, lệ phí trực tuyến. Kết quả được trả bản điện tử vào kho dữ liệu cá nhân và bản giấy qua dịch vụ bưu chính nếu có yêu cầu."),
    D("c031", "hoankiem", "page", TT, "2025-07-03",
      "Danh mục TTHC tiếp nhận tại Bộ phận Một cửa phường Hoàn Kiếm",
      "Bộ phận Một cửa phường Hoàn Kiếm tiếp nhận 312 TTHC thuộc thẩm quyền cấp xã, từ hộ tịch, chứng thực đến đất đai, xây dựng.",
      "Từ ngày 01/7/2025, Bộ phận Một cửa phường Hoàn Kiếm đặt tại số 126 Hàng Trống tiếp nhận và trả kết quả TTHC cho người dân, doanh nghiệp. Danh mục gồm các TTHC lĩnh vực hộ tịch, chứng thực, đất đai, xây dựng, đăng ký kinh doanh, bảo trợ xã hội. Người dân có thể tra cứu tình trạng hồ sơ bằng mã QR trên phiếu hẹn. Thời gian làm việc từ thứ Hai đến sáng thứ Bảy."),
    D("c032", "hanoi", "page", TT, "2025-07-25",
      "Thủ tục đăng ký nhận cha, mẹ, con",
      "Việc nhận cha, mẹ, con giữa công dân Việt Nam cư trú trong nước thực hiện tại UBND cấp xã.",
      "Người yêu cầu nộp tờ khai đăng ký nhận cha, mẹ, con và chứng cứ chứng minh quan hệ cha con hoặc mẹ con như văn bản giám định ADN. Trong 3 ngày làm việc, nếu thấy việc nhận cha, mẹ, con là đúng và không có tranh chấp, công chức tư pháp - hộ tịch ghi vào Sổ hộ tịch. Lệ phí do Hội đồng nhân dân Thành phố quy định."),
    D("c033", "hanoi", "page", TT, "2025-03-05",
      "Thủ tục cấp giấy phép lái xe quốc tế",
      "Người có giấy phép lái xe do Việt Nam cấp bằng vật liệu PET còn hạn được cấp giấy phép lái xe quốc tế theo Công ước Viên 1968.",
      "Người đề nghị nộp tờ khai, ảnh chân dung và bản chụp hộ chiếu, giấy phép lái xe quốc gia. Giấy phép lái xe quốc tế có thời hạn không quá 3 năm và không vượt quá thời hạn của giấy phép lái xe quốc gia. Thời hạn cấp là 5 ngày làm việc, lệ phí 135.000 đồng."),
]

# --- legal documents, directions, announcements ------------------------------------------------

VB, TB = "van-ban", "thong-bao"
CORE += [
    D("c034", "hanoi", "document", VB, "2026-02-10",
      "Quyết định số 12/2026/QĐ-UBND quy định về cấp giấy phép xây dựng trên địa bàn thành phố Hà Nội",
      "Quy định phân cấp, ủy quyền cấp giấy phép xây dựng cho UBND cấp xã và Sở Xây dựng theo mô hình chính quyền địa phương hai cấp; thay thế Quyết định số 26/2023/QĐ-UBND.",
      "Ủy ban nhân dân thành phố Hà Nội ban hành Quyết định số 12/2026/QĐ-UBND quy định về cấp giấy phép xây dựng. Theo đó, UBND xã, phường cấp giấy phép xây dựng nhà ở riêng lẻ và công trình cấp III, cấp IV trên địa bàn; Sở Xây dựng cấp giấy phép cho công trình cấp đặc biệt, cấp I, cấp II. Quyết định quy định quy mô, chiều cao tối đa của công trình được cấp giấy phép xây dựng có thời hạn. Quyết định có hiệu lực từ ngày 20/02/2026.",
      "12/2026/QĐ-UBND"),
    D("c035", "hanoi", "document", VB, "2023-08-21",
      "Quyết định số 26/2023/QĐ-UBND ban hành Quy định về cấp giấy phép xây dựng",
      "Quy định cấp giấy phép xây dựng và quản lý trật tự xây dựng theo giấy phép trên địa bàn Thành phố; đã được thay thế năm 2026.",
      "Quyết định phân cấp cho UBND các quận, huyện, thị xã cấp giấy phép xây dựng công trình cấp III, cấp IV và nhà ở riêng lẻ. Sở Xây dựng cấp giấy phép xây dựng công trình cấp I, cấp II và công trình tôn giáo. Quyết định này hết hiệu lực khi Quyết định số 12/2026/QĐ-UBND có hiệu lực.",
      "26/2023/QĐ-UBND"),
    D("c036", "hanoi", "direction", VB, "2026-01-12",
      "Chỉ thị số 01/CT-UBND về tăng cường quản lý trật tự xây dựng năm 2026",
      "Chủ tịch Ủy ban nhân dân Thành phố yêu cầu các xã, phường xử lý dứt điểm công trình vi phạm trật tự xây dựng, không để phát sinh vi phạm mới.",
      "Chủ tịch UBND xã, phường chịu trách nhiệm trước Chủ tịch UBND Thành phố nếu để xảy ra vi phạm trật tự xây dựng kéo dài trên địa bàn. Công trình xây dựng không phép, sai phép phải được lập biên bản, đình chỉ thi công và cưỡng chế theo quy định. Sở Xây dựng kiểm tra việc cấp giấy phép xây dựng và công khai danh sách công trình vi phạm.",
      "01/CT-UBND"),
    D("c037", "dean06", "document", VB, "2025-02-17",
      "Kế hoạch số 45/KH-UBND triển khai Đề án 06 trên địa bàn thành phố Hà Nội năm 2025",
      "Kế hoạch phát triển ứng dụng dữ liệu về dân cư, định danh và xác thực điện tử phục vụ chuyển đổi số quốc gia năm 2025.",
      "Kế hoạch đặt mục tiêu 100% thủ tục hành chính đủ điều kiện được cung cấp dịch vụ công trực tuyến toàn trình, khai thác dữ liệu dân cư để cắt giảm giấy tờ. Công an Thành phố chủ trì cấp thẻ căn cước, tài khoản định danh điện tử VNeID cho công dân. Các sở, ngành và UBND cấp xã làm sạch dữ liệu hộ tịch, đất đai, bảo hiểm xã hội.",
      "45/KH-UBND"),
    D("c038", "hanoi", "document", VB, "2025-07-04",
      "Quyết định số 3120/QĐ-UBND công bố danh mục thủ tục hành chính lĩnh vực hộ tịch thuộc thẩm quyền giải quyết của UBND cấp xã",
      "Công bố 28 thủ tục hành chính lĩnh vực hộ tịch thực hiện tại Ủy ban nhân dân xã, phường từ ngày 01/7/2025.",
      "Danh mục gồm các thủ tục hành chính đăng ký khai sinh, đăng ký kết hôn, đăng ký khai tử, đăng ký nhận cha, mẹ, con, cấp giấy xác nhận tình trạng hôn nhân và đăng ký hộ tịch có yếu tố nước ngoài. Sở Tư pháp cập nhật danh mục lên Cơ sở dữ liệu quốc gia về thủ tục hành chính. UBND xã, phường niêm yết công khai tại Bộ phận Một cửa.",
      "3120/QĐ-UBND"),
    D("c039", "hanoi", "direction", VB, "2025-12-26",
      "Chỉ thị số 05/CT-UBND về tổ chức Tết Nguyên đán Bính Ngọ năm 2026",
      "Ủy ban nhân dân Thành phố yêu cầu chăm lo Tết cho người có công, hộ nghèo, bảo đảm an ninh trật tự và bình ổn thị trường dịp Tết Bính Ngọ.",
      "Các sở, ngành, UBND xã, phường tổ chức thăm hỏi, tặng quà gia đình chính sách, người có hoàn cảnh khó khăn. Không tổ chức đi chúc Tết cấp trên, không dùng ngân sách nhà nước làm quà biếu. Lực lượng công an tăng cường kiểm soát vi phạm nồng độ cồn, đốt pháo. Cán bộ, công chức nghỉ Tết theo thông báo của Thành phố và bảo đảm trực 24/24 giờ.",
      "05/CT-UBND"),
    D("c040", "caicachhanhchinh", "document", VB, "2025-12-30",
      "Kế hoạch số 210/KH-UBND về cải cách hành chính năm 2026",
      "Kế hoạch cải cách hành chính Thành phố năm 2026 tập trung cải cách thủ tục hành chính, chuyển đổi số và nâng cao chỉ số hài lòng của người dân.",
      "Năm 2026, Thành phố phấn đấu cắt giảm ít nhất 30% thời gian giải quyết và chi phí tuân thủ thủ tục hành chính. Tỷ lệ hồ sơ nộp trực tuyến đạt trên 80%, hồ sơ giải quyết đúng hạn đạt 98%. Các cơ quan thực hiện số hóa hồ sơ, kết quả giải quyết và tái sử dụng dữ liệu đã số hóa.",
      "210/KH-UBND"),
    D("c041", "hanoi", "document", VB, "2025-10-15",
      "Quyết định số 47/2025/QĐ-UBND quy định hạn mức giao đất ở, hạn mức công nhận đất ở",
      "Quy định hạn mức giao đất ở cho hộ gia đình, cá nhân tại các phường từ 50 đến 90 mét vuông, tại các xã từ 80 đến 180 mét vuông.",
      "Quyết định quy định hạn mức giao đất ở, hạn mức công nhận đất ở đối với thửa đất có vườn, ao và diện tích tối thiểu được tách thửa. Thửa đất sau khi tách phải có chiều rộng mặt tiền không nhỏ hơn 3 mét. Quyết định là căn cứ để cấp giấy chứng nhận quyền sử dụng đất lần đầu.",
      "47/2025/QĐ-UBND"),
    D("c042", "hanoi", "direction", VB, "2025-11-20",
      "Chỉ thị số 15/CT-UBND về bảo đảm trật tự an toàn giao thông dịp cuối năm 2025 và Tết Nguyên đán",
      "Tăng cường tuần tra, xử lý vi phạm nồng độ cồn, chở quá tải, chống ùn tắc giao thông tại các nút giao trọng điểm.",
      "Công an Thành phố tổ chức cao điểm xử lý vi phạm nồng độ cồn, tốc độ và xe chở hàng quá tải trọng. Sở Xây dựng rà soát, điều chỉnh tổ chức giao thông tại các điểm thường xuyên ùn tắc. UBND xã, phường giải tỏa lấn chiếm vỉa hè, lòng đường, bảo đảm trật tự an toàn giao thông trên địa bàn.",
      "15/CT-UBND"),
    D("c043", "soyte", "document", VB, "2024-03-11",
      "Kế hoạch số 88/KH-UBND phòng, chống dịch bệnh sốt xuất huyết năm 2024",
      "Kế hoạch chủ động giám sát, xử lý ổ dịch sốt xuất huyết, tổ chức chiến dịch diệt bọ gậy trên toàn Thành phố.",
      "Sở Y tế chủ trì giám sát ca bệnh, xử lý triệt để ổ dịch trong 48 giờ. UBND các quận, huyện tổ chức ít nhất 3 đợt chiến dịch vệ sinh môi trường, diệt loăng quăng, bọ gậy. Các bệnh viện chuẩn bị đủ giường bệnh, thuốc, dịch truyền để điều trị bệnh nhân sốt xuất huyết.",
      "88/KH-UBND"),
    D("c044", "hanoi", "document", VB, "2024-06-25",
      "Quyết định số 1285/QĐ-UBND phê duyệt điều chỉnh cục bộ quy hoạch chi tiết khu đô thị mới Dương Nội, quận Hà Đông",
      "Điều chỉnh chỉ tiêu sử dụng đất một số ô đất giáo dục, cây xanh tại khu đô thị mới Dương Nội, quận Hà Đông.",
      "Điều chỉnh cục bộ nhằm bổ sung quỹ đất xây dựng trường tiểu học và trung học cơ sở, đáp ứng nhu cầu học tập của dân cư khu đô thị. Tổng diện tích khu vực điều chỉnh khoảng 4,2 héc ta. UBND quận Hà Đông tổ chức công bố công khai quy hoạch và cắm mốc giới ngoài thực địa.",
      "1285/QĐ-UBND"),
    D("c045", "hanoi", "announcement", TB, "2025-12-22",
      "Thông báo lịch nghỉ Tết Nguyên đán Bính Ngọ năm 2026",
      "Cán bộ, công chức, viên chức Thành phố nghỉ Tết Nguyên đán Bính Ngọ 9 ngày liên tục, từ thứ Bảy ngày 14/02/2026 đến hết Chủ nhật ngày 22/02/2026.",
      "Thực hiện thông báo của Bộ Nội vụ, UBND Thành phố thông báo lịch nghỉ Tết Nguyên đán Bính Ngọ năm 2026. Cán bộ, công chức, viên chức nghỉ từ ngày 14/02/2026 đến hết ngày 22/02/2026, tức từ 27 tháng Chạp năm Ất Tỵ đến hết mùng 6 tháng Giêng năm Bính Ngọ. Các cơ quan bố trí trực để giải quyết công việc liên tục. Bộ phận Một cửa các cấp trở lại tiếp nhận hồ sơ từ thứ Hai ngày 23/02/2026."),
    D("c046", "hanoi", "announcement", TB, "2024-12-18",
      "Thông báo lịch nghỉ Tết Nguyên đán Ất Tỵ năm 2025",
      "Cán bộ, công chức, viên chức nghỉ Tết Nguyên đán Ất Tỵ 9 ngày, từ thứ Bảy ngày 25/01/2025 đến hết Chủ nhật ngày 02/02/2025.",
      "Cán bộ, công chức, viên chức các cơ quan hành chính Thành phố nghỉ Tết Nguyên đán Ất Tỵ từ ngày 25/01/2025 đến hết ngày 02/02/2025. Ngày 27/01/2025 được hoán đổi và làm bù vào thứ Bảy ngày 08/02/2025. Người lao động trong doanh nghiệp nghỉ theo lịch do người sử dụng lao động quyết định, bảo đảm tối thiểu 5 ngày theo Bộ luật Lao động."),
    D("c047", "hanoi", "announcement", TB, "2025-04-02",
      "Thông báo nghỉ lễ Giỗ Tổ Hùng Vương, ngày 30/4 và 1/5 năm 2025",
      "Cán bộ, công chức nghỉ Giỗ Tổ Hùng Vương thứ Hai ngày 07/4/2025 và nghỉ 5 ngày liên tục dịp 30/4, 1/5.",
      "Dịp Giỗ Tổ Hùng Vương mùng 10 tháng 3 âm lịch, cán bộ, công chức nghỉ một ngày vào thứ Hai ngày 07/4/2025. Dịp kỷ niệm 50 năm Ngày Giải phóng miền Nam, thống nhất đất nước và Quốc tế Lao động, cán bộ, công chức nghỉ từ ngày 30/4/2025 đến hết ngày 04/5/2025, làm bù vào thứ Bảy ngày 26/4/2025."),
    D("c048", "vpub", "announcement", TB, "2026-02-26",
      "Thông báo lịch tiếp công dân định kỳ của Chủ tịch UBND Thành phố tháng 3/2026",
      "Chủ tịch Ủy ban nhân dân Thành phố tiếp công dân định kỳ ngày 19/3/2026 tại Trụ sở Tiếp công dân Thành phố, số 1 Ngô Quyền.",
      "Công dân có khiếu nại, tố cáo, kiến nghị, phản ánh đăng ký nội dung tại Trụ sở Tiếp công dân Thành phố trước ngày 12/3/2026. Khi đến tiếp, công dân mang theo căn cước và tài liệu liên quan. Trường hợp nhiều người cùng nội dung thì cử người đại diện không quá 5 người."),
    D("c049", "sogddt", "document", VB, "2025-03-04",
      "Kế hoạch tuyển sinh vào lớp 10 trung học phổ thông năm học 2025-2026",
      "Kỳ thi tuyển sinh vào lớp 10 THPT công lập năm học 2025-2026 thi 3 môn Toán, Ngữ văn, Ngoại ngữ vào ngày 7 và 8/6/2025.",
      "Học sinh đăng ký tối đa 3 nguyện vọng vào các trường THPT công lập, không phân biệt khu vực tuyển sinh. Điểm xét tuyển là tổng điểm ba bài thi. Toàn Thành phố tuyển khoảng 79.000 học sinh vào lớp 10 công lập, chiếm khoảng 62% số học sinh tốt nghiệp trung học cơ sở. Học sinh đăng ký dự tuyển trực tuyến từ ngày 15/4 đến ngày 20/4/2025.",
      "1004/KH-SGDĐT"),
    D("c050", "hanoi", "document", VB, "2025-09-30",
      "Quyết định số 58/2025/QĐ-UBND quy định về phân loại, thu gom, vận chuyển chất thải rắn sinh hoạt",
      "Từ năm 2026, hộ gia đình, cá nhân phải phân loại chất thải rắn sinh hoạt tại nguồn thành ba nhóm.",
      "Chất thải rắn sinh hoạt được phân thành chất thải có khả năng tái chế, chất thải thực phẩm và chất thải rắn sinh hoạt khác. UBND xã, phường quy định thời gian, địa điểm thu gom phù hợp với từng khu dân cư. Hộ gia đình không phân loại hoặc bỏ rác không đúng nơi quy định bị xử phạt theo quy định của pháp luật về bảo vệ môi trường.",
      "58/2025/QĐ-UBND"),
    D("c051", "hanoi", "direction", VB, "2024-09-16",
      "Chỉ thị số 08/CT-UBND về tăng cường công tác phòng cháy chữa cháy đối với nhà ở riêng lẻ kết hợp sản xuất, kinh doanh",
      "Yêu cầu rà soát toàn bộ nhà ở kết hợp kinh doanh, chung cư mini, bảo đảm lối thoát nạn thứ hai và thiết bị báo cháy.",
      "Sau vụ cháy chung cư mini tại Khương Hạ, Ủy ban nhân dân Thành phố chỉ đạo kiểm tra an toàn PCCC đối với nhà ở riêng lẻ kết hợp kinh doanh. Hộ gia đình phải trang bị bình chữa cháy, thiết bị báo cháy và có lối thoát nạn thứ hai qua ban công, mái. Cơ sở không bảo đảm điều kiện phòng cháy chữa cháy bị tạm đình chỉ hoạt động.",
      "08/CT-UBND"),
    D("c052", "hanoi", "direction", VB, "2025-11-05",
      "Công văn về việc tạm dừng cấp phép đào đường, hè phố dịp cuối năm và Tết Nguyên đán Bính Ngọ",
      "Tạm dừng cấp phép thi công đào đường, hè phố trên các tuyến phố chính từ ngày 15/12/2025 đến ngày 28/02/2026.",
      "Để bảo đảm giao thông thông suốt dịp cuối năm, Ủy ban nhân dân Thành phố giao Sở Xây dựng tạm dừng cấp phép đào đường, hè phố. Các công trình đang thi công phải hoàn trả mặt đường trước ngày 15/12/2025. Trường hợp khắc phục sự cố cấp điện, cấp nước khẩn cấp thì được thi công nhưng phải hoàn trả ngay."),
    D("c053", "vpub", "announcement", TB, "2025-10-08",
      "Thông báo kết luận của Chủ tịch UBND Thành phố về giải pháp chống ùn tắc giao thông khu vực Hà Đông",
      "Giao Sở Xây dựng tổ chức lại giao thông trục Quang Trung - Trần Phú, đẩy nhanh tiến độ cầu vượt nút giao Phùng Hưng.",
      "Khu vực phường Hà Đông, phường Kiến Hưng thường xuyên ùn tắc vào giờ cao điểm trên trục Quang Trung - Trần Phú. Chủ tịch UBND Thành phố yêu cầu tăng tần suất tuyến đường sắt đô thị Cát Linh - Hà Đông giờ cao điểm, bổ sung tuyến xe buýt gom. Công an Thành phố tăng cường lực lượng phân luồng tại các nút giao Nguyễn Trãi - Khuất Duy Tiến và Quang Trung - Lê Trọng Tấn."),
    D("c054", "sogddt", "announcement", TB, "2025-05-10",
      "Thông báo tuyển sinh trực tuyến vào lớp 1, lớp 6 năm học 2025-2026",
      "Cha mẹ học sinh đăng ký tuyển sinh trực tuyến lớp 1 từ ngày 1 đến ngày 3/7/2025 và lớp 6 từ ngày 4 đến ngày 6/7/2025.",
      "Tuyển sinh vào lớp 1 và lớp 6 các trường công lập thực hiện theo phương thức xét tuyển, đúng tuyến theo địa bàn cư trú. Cha mẹ học sinh sử dụng mã học sinh và số định danh cá nhân để đăng ký trên hệ thống tuyển sinh đầu cấp của Thành phố. Trường hợp không đăng ký trực tuyến được, cha mẹ nộp hồ sơ trực tiếp tại trường."),
    D("c055", "hoankiem", "announcement", TB, "2025-09-15",
      "Thông báo thu phí sử dụng tạm thời một phần hè phố tại phường Hoàn Kiếm",
      "Hộ kinh doanh sử dụng tạm thời một phần hè phố để trông giữ xe, kinh doanh phải được cấp phép và nộp phí theo quy định.",
      "UBND phường Hoàn Kiếm thông báo tiếp tục thu phí sử dụng tạm thời một phần hè phố trên các tuyến phố trong khu phố cổ. Mức phí từ 20.000 đến 40.000 đồng một mét vuông một tháng tùy vị trí tuyến phố. Hộ kinh doanh phải để lại ít nhất 1,5 mét hè phố dành cho người đi bộ."),
    D("c056", "ttpvhcc", "announcement", TB, "2026-03-20",
      "Thông báo tạm dừng tiếp nhận hồ sơ trực tiếp để nâng cấp Hệ thống thông tin giải quyết thủ tục hành chính",
      "Ngày 28 và 29/3/2026, các điểm tiếp nhận chỉ tiếp nhận hồ sơ trực tuyến để nâng cấp hệ thống.",
      "Trung tâm Phục vụ hành chính công Thành phố thông báo tạm dừng tiếp nhận hồ sơ trực tiếp trong hai ngày để chuyển đổi Hệ thống thông tin giải quyết thủ tục hành chính. Hồ sơ trực tuyến vẫn được tiếp nhận bình thường, thời hạn giải quyết được tính từ ngày làm việc tiếp theo. Trung tâm xin lỗi người dân, doanh nghiệp vì sự bất tiện."),
    D("c057", "donganh", "announcement", TB, "2025-11-18",
      "Thông báo đấu giá quyền sử dụng đất ở tại xã Đông Anh",
      "Đấu giá 42 thửa đất ở tại khu đấu giá thôn Lộc Hà, diện tích từ 90 đến 120 mét vuông mỗi thửa.",
      "UBND xã Đông Anh thông báo đấu giá quyền sử dụng đất ở tại khu X4 thôn Lộc Hà. Giá khởi điểm từ 60 triệu đồng một mét vuông. Người tham gia nộp hồ sơ và tiền đặt trước tại tổ chức đấu giá tài sản từ ngày 20/11 đến ngày 05/12/2025. Buổi đấu giá được tổ chức theo hình thức bỏ phiếu gián tiếp."),
]
