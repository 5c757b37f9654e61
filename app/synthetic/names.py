"""Vietnamese names, places and school names for synthetic data.

Family names carry rough population weights (Nguyễn about 38 %), so a generated staff list
reads like a real one; every string is NFC with its diacritics.
"""

import random
import unicodedata

FAMILY: list[tuple[str, float]] = [
    ("Nguyễn", 38.0),
    ("Trần", 11.0),
    ("Lê", 9.5),
    ("Phạm", 7.0),
    ("Hoàng", 3.0),
    ("Huỳnh", 2.1),
    ("Phan", 4.5),
    ("Vũ", 2.0),
    ("Võ", 1.9),
    ("Đặng", 2.1),
    ("Bùi", 2.0),
    ("Đỗ", 1.4),
    ("Hồ", 1.3),
    ("Ngô", 1.3),
    ("Dương", 1.0),
    ("Lý", 0.5),
    ("Đinh", 0.6),
    ("Trương", 0.6),
    ("Lâm", 0.4),
    ("Mai", 0.4),
    ("Tô", 0.3),
    ("Hà", 0.4),
    ("Lương", 0.3),
    ("Cao", 0.3),
    ("Tạ", 0.2),
    ("Chu", 0.2),
    ("Thái", 0.2),
    ("Kiều", 0.1),
    ("Triệu", 0.2),
    ("Quách", 0.1),
]
MIDDLE_MALE = ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thành", "Công", "Xuân", "Trung", "Đình"]
MIDDLE_FEMALE = ["Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Thuỳ", "Phương", "Hồng", "Bảo"]
GIVEN_MALE = [
    "An", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy",
    "Khang", "Khánh", "Khoa", "Kiên", "Lâm", "Long", "Luân", "Mạnh", "Nam", "Nghĩa", "Nhân",
    "Phong", "Phúc", "Quang", "Sơn", "Tài", "Tâm", "Thắng", "Thịnh", "Toàn", "Trí", "Trung",
    "Tuấn", "Tùng", "Việt", "Vinh", "Vũ",
]  # fmt: skip
GIVEN_FEMALE = [
    "Anh", "Ánh", "Châu", "Chi", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hiền",
    "Hoa", "Huyền", "Hương", "Lan", "Liên", "Linh", "Loan", "Mai", "My", "Nga", "Ngân",
    "Nhung", "Oanh", "Phượng", "Quyên", "Quỳnh", "Tâm", "Thảo", "Thơ", "Thuý", "Thư",
    "Trang", "Trinh", "Tuyết", "Uyên", "Vân", "Vy", "Xuân", "Yến",
]  # fmt: skip

# (name, administrative word, numeric code) of the 34 provincial units since 1 July 2025.
PROVINCES: list[tuple[str, str, str]] = [
    ("Đồng Nai", "tỉnh", "75"),
    ("Hà Nội", "thành phố", "01"),
    ("Hồ Chí Minh", "thành phố", "79"),
    ("Hải Phòng", "thành phố", "31"),
    ("Đà Nẵng", "thành phố", "48"),
    ("Cần Thơ", "thành phố", "92"),
    ("Huế", "thành phố", "46"),
    ("Cao Bằng", "tỉnh", "04"),
    ("Tuyên Quang", "tỉnh", "08"),
    ("Điện Biên", "tỉnh", "11"),
    ("Lai Châu", "tỉnh", "12"),
    ("Sơn La", "tỉnh", "14"),
    ("Lào Cai", "tỉnh", "15"),
    ("Thái Nguyên", "tỉnh", "19"),
    ("Lạng Sơn", "tỉnh", "20"),
    ("Quảng Ninh", "tỉnh", "22"),
    ("Bắc Ninh", "tỉnh", "24"),
    ("Phú Thọ", "tỉnh", "25"),
    ("Hưng Yên", "tỉnh", "33"),
    ("Ninh Bình", "tỉnh", "37"),
    ("Thanh Hoá", "tỉnh", "38"),
    ("Nghệ An", "tỉnh", "40"),
    ("Hà Tĩnh", "tỉnh", "42"),
    ("Quảng Trị", "tỉnh", "44"),
    ("Quảng Ngãi", "tỉnh", "51"),
    ("Gia Lai", "tỉnh", "52"),
    ("Khánh Hoà", "tỉnh", "56"),
    ("Đắk Lắk", "tỉnh", "66"),
    ("Lâm Đồng", "tỉnh", "68"),
    ("Tây Ninh", "tỉnh", "80"),
    ("Đồng Tháp", "tỉnh", "82"),
    ("Vĩnh Long", "tỉnh", "86"),
    ("An Giang", "tỉnh", "91"),
    ("Cà Mau", "tỉnh", "96"),
]

# Names of districts, towns, communes and wards; schools are named after them.
PLACES = [
    "Đồng Xoài", "Bình Long", "Phước Long", "Chơn Thành", "Hớn Quản", "Lộc Ninh", "Bù Đốp",
    "Bù Gia Mập", "Bù Đăng", "Đồng Phú", "Phú Riềng", "Long Thành", "Nhơn Trạch", "Trảng Bom",
    "Thống Nhất", "Cẩm Mỹ", "Xuân Lộc", "Định Quán", "Tân Phú", "Vĩnh Cửu", "Biên Hoà",
    "Long Khánh", "An Lộc", "Tân Bình", "Tân Thành", "Tân Lập", "Tân Hưng", "Tân Khai",
    "Tân Tiến", "Tân Hoà", "Tân Lợi", "Thuận Lợi", "Thuận Phú", "Minh Hưng", "Minh Lập",
    "Minh Thành", "Nha Bích", "Quang Minh", "Thành Tâm", "Phước An", "Phước Tín",
    "Long Hưng", "Long Hà", "Long Bình", "Long Tân", "Bình Thắng", "Bình Sơn", "Bình Minh",
    "Đức Liễu", "Đức Hạnh", "Thống Nhất", "Nghĩa Trung", "Đoàn Kết", "Thọ Sơn", "Đồng Nai",
    "Phú Nghĩa", "Phú Trung", "Phú Sơn", "Phú Văn", "Đak Ơ", "Bù Gia Phúc", "Thiện Hưng",
    "Thanh Hoà", "Hưng Phước", "Tân Tiến", "Lộc Hưng", "Lộc Thái", "Lộc Tấn", "Lộc Thạnh",
    "Lộc Quang", "Lộc Điền", "Lộc Khánh", "Lộc An", "Thanh Lương", "Thanh Phú", "An Phú",
    "Hưng Chiến", "Phú Thịnh", "Tân Xuân", "Tiến Thành", "Tiến Hưng", "Đồng Tâm", "Thuận Phú",
    "Xuân Bắc", "Xuân Định", "Xuân Hưng", "Xuân Tâm", "Xuân Trường", "Gia Canh", "La Ngà",
    "Phú Lý", "Trị An", "Hiếu Liêm", "Mã Đà", "Thạnh Phú", "Bình Lợi", "Phước Thiền",
    "Đại Phước", "Hiệp Phước", "Long Phước", "Bàu Hàm", "Sông Trầu", "Hưng Lộc", "Lộ 25",
    "Quang Trung", "Gia Kiệm", "Sông Ray", "Lâm San", "Nhân Nghĩa", "Thừa Đức", "Xuân Đông",
]  # fmt: skip

# Schools named after people and events of Vietnamese history.
NOTABLES = [
    "Nguyễn Du", "Lê Quý Đôn", "Trần Phú", "Chu Văn An", "Nguyễn Trãi", "Lê Lợi", "Quang Trung",
    "Nguyễn Huệ", "Trần Hưng Đạo", "Lương Thế Vinh", "Nguyễn Bỉnh Khiêm", "Hùng Vương",
    "Phan Bội Châu", "Phan Chu Trinh", "Võ Thị Sáu", "Nguyễn Thị Minh Khai", "Lý Tự Trọng",
    "Ngô Quyền", "Lê Hồng Phong", "Trần Quốc Toản", "Kim Đồng", "Nguyễn Văn Trỗi",
    "Đinh Tiên Hoàng", "Lý Thường Kiệt", "Tô Hiến Thành", "Huỳnh Thúc Kháng", "Nguyễn Khuyến",
    "Nguyễn Đình Chiểu", "Trương Định", "Hai Bà Trưng", "Bà Triệu", "Lê Thánh Tông",
    "Võ Trường Toản", "Tôn Đức Thắng", "Nguyễn Hữu Cảnh", "Điểu Ong", "Lê Văn Tám",
    "Nguyễn Thái Học", "Phan Đình Phùng", "Nguyễn Văn Cừ", "Trần Đại Nghĩa", "Lê Quý Đôn",
]  # fmt: skip

PRESCHOOL = [
    "Hoa Sen", "Hoa Mai", "Hoa Hồng", "Sơn Ca", "Hoạ Mi", "Vành Khuyên", "Hướng Dương",
    "Tuổi Thơ", "Bình Minh", "Măng Non", "Hoa Phượng", "Ánh Dương", "Rạng Đông", "Sao Mai",
    "Hoa Cúc", "Hoa Lan", "Búp Sen Hồng", "Thỏ Ngọc", "Hoa Anh Đào", "Bông Sen",
]  # fmt: skip

SUFFIXES = ["", " A", " B", " C", " 2", " 3"]


def _weights() -> tuple[list[str], list[float]]:
    names, weights = zip(*FAMILY, strict=True)
    return list(names), list(weights)


_FAMILY_NAMES, _FAMILY_WEIGHTS = _weights()


def person_name(rng: random.Random, female: bool) -> str:
    family = rng.choices(_FAMILY_NAMES, _FAMILY_WEIGHTS)[0]
    if female:
        return f"{family} {rng.choice(MIDDLE_FEMALE)} {rng.choice(GIVEN_FEMALE)}"
    return f"{family} {rng.choice(MIDDLE_MALE)} {rng.choice(GIVEN_MALE)}"


def ascii_slug(text: str) -> str:
    """``Nguyễn Văn Đạt`` → ``nguyenvandat``: for e-mail addresses."""
    folded = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(ch for ch in folded if ch.isascii() and ch.isalnum()).lower()
