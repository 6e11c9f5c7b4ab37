/*
 * Sample orders and products. Every choice for order n comes from a
 * generator seeded by (seed, n) alone, which is what lets a benchmark
 * regenerate line 700000 without the 699999 before it. All strings come
 * from the tables below and need no JSON escaping.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "demo.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct place {
	const char *city, *district, *zone, *dept, *warehouse;
	int post_lo, post_hi;	/* real postal code range of the district */
	int weight;
	const char *roads[5];
};

static const struct place places[] = {
	{ "서울", "강남구", "gangnam", "east", "icn-1", 6000, 6399, 9,
	    { "테헤란로", "강남대로", "논현로", "선릉로", "도산대로" } },
	{ "서울", "서초구", "seocho", "east", "icn-1", 6500, 6999, 6,
	    { "서초대로", "반포대로", "방배로", "사평대로", "효령로" } },
	{ "서울", "송파구", "songpa", "east", "icn-1", 5500, 5899, 7,
	    { "올림픽로", "송파대로", "백제고분로", "잠실로", "위례성대로" } },
	{ "서울", "마포구", "mapo", "west", "icn-2", 3900, 4199, 6,
	    { "월드컵로", "양화로", "독막로", "마포대로", "성미산로" } },
	{ "서울", "영등포구", "yeongdeungpo", "west", "icn-2", 7200, 7499, 5,
	    { "여의대로", "국제금융로", "영등포로", "당산로", "선유로" } },
	{ "서울", "관악구", "gwanak", "west", "icn-2", 8700, 8899, 4,
	    { "관악로", "남부순환로", "봉천로", "신림로", "은천로" } },
	{ "서울", "노원구", "nowon", "north", "uij-1", 1600, 1999, 5,
	    { "동일로", "노원로", "상계로", "한글비석로", "공릉로" } },
	{ "서울", "종로구", "jongno", "north", "icn-2", 3000, 3199, 3,
	    { "종로", "율곡로", "세종대로", "자하문로", "대학로" } },
	{ "경기", "성남시 분당구", "bundang", "east", "icn-1", 13400, 13699, 6,
	    { "판교역로", "분당내곡로", "황새울로", "정자일로", "불정로" } },
	{ "경기", "수원시 영통구", "yeongtong", "south", "osn-1", 16500, 16799,
	    5, { "광교중앙로", "영통로", "봉영로", "매영로", "삼성로" } },
	{ "경기", "고양시 일산동구", "ilsan", "north", "uij-1", 10300, 10499, 4,
	    { "중앙로", "정발산로", "일산로", "호수로", "장백로" } },
	{ "인천", "연수구", "songdo", "west", "inc-1", 21900, 22099, 4,
	    { "송도과학로", "컨벤시아대로", "아트센터대로", "센트럴로",
	    "해돋이로" } },
	{ "부산", "해운대구", "haeundae", "south", "pus-1", 48000, 48199, 6,
	    { "해운대로", "달맞이길", "센텀중앙로", "좌동순환로",
	    "마린시티2로" } },
	{ "부산", "부산진구", "busanjin", "south", "pus-1", 47100, 47399, 4,
	    { "중앙대로", "서면로", "동천로", "가야대로", "전포대로" } },
	{ "대구", "수성구", "suseong", "south", "tae-1", 42000, 42299, 4,
	    { "달구벌대로", "동대구로", "들안로", "수성로", "범어로" } },
	{ "광주", "서구", "gwangju-seo", "south", "kwj-1", 61900, 62099, 3,
	    { "상무대로", "상무중앙로", "치평로", "운천로", "죽봉대로" } },
	{ "대전", "유성구", "yuseong", "east", "tje-1", 34000, 34299, 3,
	    { "대학로", "유성대로", "엑스포로", "노은로", "한밭대로" } },
	{ "강원", "춘천시", "chuncheon", "east", "chc-1", 24200, 24499, 2,
	    { "중앙로", "춘천로", "후석로", "공지로", "퇴계로" } },
};

static const char *const apartments[] = {
	"래미안", "자이", "힐스테이트", "푸르지오", "아이파크", "e편한세상",
	"롯데캐슬", "더샵", "센트레빌", "두산위브",
};

/* Repeats weight the common family names. */
static const char *const families[] = {
	"김", "김", "김", "김", "김", "이", "이", "이", "이", "박", "박",
	"최", "정", "강", "조", "윤", "장", "임", "한", "오", "서", "신",
	"권", "황", "안", "송", "류", "전", "홍", "고", "문", "양", "배",
};

static const char *const given1[] = {
	"민", "서", "지", "하", "도", "예", "주", "수", "현", "은", "유",
	"채", "시", "다", "승", "준", "태", "성", "동", "영", "상", "재",
	"혜", "윤", "소", "나", "경", "정", "진", "보",
};

static const char *const given2[] = {
	"준", "윤", "우", "연", "현", "진", "아", "원", "호", "영", "민",
	"빈", "희", "서", "율", "은", "수", "훈", "혁", "철", "숙", "경",
	"석", "환", "주", "미", "정", "린", "하", "후",
};

static const char *const memos[] = {
	"문 앞에 놓아주세요",
	"부재 시 경비실에 맡겨주세요",
	"배송 전에 연락 부탁드립니다",
	"택배함에 넣어주세요",
	"파손 주의 부탁드립니다",
	"벨 누르지 말고 문 앞에 두세요",
	"공동현관 출입 시 호출 버튼을 눌러주세요",
	"빠른 배송 부탁드려요",
};

/* Channels, weighted by repetition. */
static const char *const channels[] = {
	"coupang", "coupang", "coupang", "coupang", "coupang", "coupang",
	"coupang", "naver", "naver", "naver", "naver", "naver", "naver",
	"shopify", "shopify", "woocommerce", "woocommerce", "demo", "demo",
	"demo",
};

/* The catalog: 8 categories x 5 products x 5 variants. */
struct category {
	const char *name;
	const char *brands[5];
	const char *products[5];
	int base[5];		/* price of the first variant, KRW */
	const char *variants[5];
	int mult[5];		/* variant price, percent of base */
};

static const struct category catalog[8] = {
	{ "식품",
	    { "햇살농원", "청정들녘", "바른먹거리", "한아름", "제주푸른" },
	    { "제주 감귤", "햇사과", "유기농 현미", "한우 불고기",
	    "국산 고춧가루" },
	    { 9900, 14900, 8900, 19900, 12900 },
	    { "500g", "1kg", "2kg", "5kg", "선물세트" },
	    { 100, 180, 330, 760, 520 } },
	{ "생활용품", { "깨끗한나라", "포근", "살림공방", "하루한장", "맑음" },
	    { "3겹 화장지 30롤", "키친타월", "액체 세탁세제", "섬유유연제",
	    "물티슈" },
	    { 15900, 6900, 11900, 8900, 4900 },
	    { "1팩", "2팩", "3팩", "대용량", "6팩 묶음" },
	    { 100, 190, 270, 160, 520 } },
	{ "주방용품",
	    { "쿡앤홈", "한솥", "키친아트", "오늘부엌", "스텐하우스" },
	    { "스테인리스 냄비", "논스틱 프라이팬", "유리 밀폐용기",
	    "항균 도마", "수저세트" },
	    { 24900, 19900, 12900, 9900, 14900 },
	    { "소형", "중형", "대형", "2종 세트", "4종 세트" },
	    { 100, 130, 160, 180, 310 } },
	{ "뷰티", { "수아", "그린담", "맑은결", "데일리온", "라온" },
	    { "수분 크림", "선크림 SPF50+", "약산성 클렌징 폼", "립밤",
	    "시트 마스크" },
	    { 18900, 15900, 9900, 4900, 6900 },
	    { "미니", "정품", "대용량", "1+1", "기획세트" },
	    { 60, 100, 150, 190, 240 } },
	{ "디지털", { "사운드온", "파워큐브", "차지업", "모노", "링크" },
	    { "무선 이어폰", "보조배터리 10000mAh", "USB-C 고속충전기",
	    "블루투스 스피커", "스마트워치 스트랩" },
	    { 39900, 24900, 15900, 45900, 12900 },
	    { "블랙", "화이트", "네이비", "실버", "핑크" },
	    { 100, 100, 105, 110, 105 } },
	{ "패션잡화", { "무드", "데일리핏", "포레", "어반", "소소" },
	    { "면 양말 5켤레", "니트 장갑", "캐시미어 목도리", "캔버스 에코백",
	    "볼캡" },
	    { 9900, 12900, 39900, 14900, 19900 },
	    { "블랙", "그레이", "베이지", "네이비", "버건디" },
	    { 100, 100, 100, 105, 110 } },
	{ "반려동물", { "멍냥", "펫스토리", "해피테일", "냥이네", "바우" },
	    { "강아지 사료", "고양이 모래", "고양이 간식", "배변패드",
	    "강아지 간식" },
	    { 12900, 9900, 5900, 14900, 6900 },
	    { "소용량", "1kg", "2kg", "6kg", "대용량" },
	    { 60, 100, 180, 450, 320 } },
	{ "문구", { "모닝", "페이퍼랩", "잉크웰", "노트리", "하루" },
	    { "젤펜", "스프링 노트", "점착 메모지", "형광펜", "만년 다이어리" },
	    { 1500, 3900, 2900, 1800, 14900 },
	    { "1개", "3개입", "5개입", "10개입", "세트" },
	    { 100, 280, 440, 820, 150 } },
};

struct rng {
	uint64_t s;
};

/* splitmix64: tiny, fast and good enough for sample data. */
static uint64_t
mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
next(struct rng *r)
{
	r->s += 0x9e3779b97f4a7c15ULL;
	return mix(r->s);
}

static unsigned
pick(struct rng *r, unsigned n)
{
	return (unsigned)(next(r) % n);
}

static void
seed_rng(struct rng *r, unsigned long long seed, unsigned long long n,
    unsigned long long salt)
{
	r->s = mix(mix(seed ^ 0x5eedULL) ^ mix(n + 1) ^ (salt << 48));
}

void
uoms_demo_init(struct uoms_demo *d, unsigned long long seed)
{
	d->seed = seed;
	d->base = UOMS_DEMO_BASE;
	d->days = 7;
}

/* Howard Hinnant's civil_from_days. */
static void
civil(long long t, int *y, int *mo, int *dd, int *sec)
{
	long long days = t / 86400, z, era, doe, yoe, doy, mp;

	*sec = (int)(t % 86400);
	if (*sec < 0) {
		*sec += 86400;
		days--;
	}
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*dd = (int)(doy - (153 * mp + 2) / 5 + 1);
	*mo = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*mo <= 2));
}

static void
digits(char *p, unsigned v, int n)
{
	while (n-- > 0) {
		p[n] = '0' + v % 10;
		v /= 10;
	}
}

void
uoms_demo_time(long long t, char *out)
{
	int y, mo, d, s;

	/* By hand: a million lines want six of these each. */
	civil(t, &y, &mo, &d, &s);
	memcpy(out, "0000-00-00T00:00:00Z", 21);
	digits(out, y < 0 ? 0 : y > 9999 ? 9999 : y, 4);
	digits(out + 5, mo, 2);
	digits(out + 8, d, 2);
	digits(out + 11, s / 3600, 2);
	digits(out + 14, s / 60 % 60, 2);
	digits(out + 17, s % 60, 2);
}

/* A bounded writer: the first write that does not fit marks it failed. */
struct out {
	char *p;
	size_t n, len;
	int over;
};

static void
put(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (o->over)
		return;
	va_start(ap, fmt);
	w = vsnprintf(o->p + o->n, o->len - o->n, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= o->len - o->n)
		o->over = 1;
	else
		o->n += w;
}

static int
price(int i)
{
	const struct category *c = &catalog[i % 8];
	int k = i / 8, p;

	p = c->base[k % 5] * c->mult[k / 5] / 100;
	return (p + 999) / 1000 * 1000 - 100;	/* 15900, not 15437 */
}

int
uoms_demo_product(int i, char *buf, size_t len)
{
	const struct category *c;
	struct rng r;
	struct out o = { buf, 0, len, len == 0 };
	int k, p, cost;
	unsigned stock;

	if (i < 0 || i >= UOMS_DEMO_PRODUCTS)
		return -1;
	c = &catalog[i % 8];
	k = i / 8;
	p = price(i);
	seed_rng(&r, 0, i, 7);
	cost = p * (50 + (int)pick(&r, 30)) / 1000 * 10;
	stock = pick(&r, 10) == 0 ? 0 : pick(&r, 500);
	put(&o, "{\"sku\":\"SKU-%04d\",\"name\":\"%s %s %s\","
	    "\"category\":\"%s\",\"price\":%d,\"cost\":%d,\"stock\":%u}", i + 1, c->brands[k % 5],
	    c->products[k % 5], c->variants[k / 5], c->name, p, cost, stock);
	return o.over ? -1 : (int)o.n;
}

/* Popular products sell more: the lower of two draws. */
static int
pick_product(struct rng *r)
{
	unsigned a = pick(r, UOMS_DEMO_PRODUCTS);
	unsigned b = pick(r, UOMS_DEMO_PRODUCTS);

	return a < b ? a : b;
}

static const struct place *
pick_place(struct rng *r)
{
	unsigned i, w, total = 0;

	for (i = 0; i < NELEM(places); i++)
		total += places[i].weight;
	w = pick(r, total);
	for (i = 0; w >= (unsigned)places[i].weight; i++)
		w -= places[i].weight;
	return &places[i];
}

static void
address(struct rng *r, const struct place *pl, char *a, size_t len)
{
	/* Draws in a fixed order: argument evaluation order is unspecified. */
	const char *road = pl->roads[pick(r, 5)];
	unsigned kind = pick(r, 20), num = 1 + pick(r, 400);
	unsigned x = pick(r, 60), y = pick(r, 30), z = pick(r, 4);
	unsigned w = pick(r, 25);

	if (kind < 11)
		snprintf(a, len, "%s %s %s %u %s %u동 %u호", pl->city,
		    pl->district, road, num, apartments[x % NELEM(apartments)],
		    101 + y % 12, (1 + w) * 100 + 1 + z);
	else if (kind < 17)
		snprintf(a, len, "%s %s %s %u, %u층", pl->city, pl->district,
		    road, num, 2 + y % 18);
	else
		snprintf(a, len, "%s %s %s%u번길 %u-%u", pl->city, pl->district,
		    road, 1 + x, num, 1 + y);
}

/* The channel's own id for order n: unique per channel for n < 10^8. */
static void
order_id(const char *ch, unsigned long long n, long long placed, char *id,
    size_t len)
{
	int y, mo, d, s;

	civil(placed, &y, &mo, &d, &s);
	switch (ch[0]) {
	case 'c':
		snprintf(id, len, "%llu", 3000000000ULL + n);
		break;
	case 'n':
		snprintf(id, len, "%04d%02d%02d%08llu", y, mo, d,
		    n % 100000000);
		break;
	case 's':
		snprintf(id, len, "%llu", 5400000000000ULL + n * 3);
		break;
	case 'w':
		snprintf(id, len, "%llu", 10000 + n);
		break;
	default:
		snprintf(id, len, "D%08llu", n);
		break;
	}
}

static void
item_id(const char *ch, unsigned long long n, int i, char *id, size_t len)
{
	unsigned long long k = n * 4 + i;

	switch (ch[0]) {
	case 'c':
		snprintf(id, len, "v-%llu", 9000000000ULL + k);
		break;
	case 'n':
		snprintf(id, len, "%llu", 2026000000000000ULL + k);
		break;
	case 's':
		snprintf(id, len, "%llu", 14000000000000ULL + k);
		break;
	case 'w':
		snprintf(id, len, "%llu", 50000 + k);
		break;
	default:
		snprintf(id, len, "i%d", i + 1);
		break;
	}
}

int
uoms_demo_order(const struct uoms_demo *d, unsigned long long n,
    unsigned rev, char *buf, size_t len)
{
	struct out o = { buf, 0, len, len == 0 };
	struct rng r, rr;
	const struct place *pl;
	const char *ch, *zsuffix = "";
	char addr[256], oid[32], iid[32], name[32], memo[128];
	char placed_s[24], upd_s[24], eta_s[24];
	long long placed, upd, eta, total = 0;
	int sku[3], qty[3], nitems, i, j, y, mo, dd, s;
	unsigned u, ph1, ph2, post;

	seed_rng(&r, d->seed, n, 0);
	ch = channels[pick(&r, NELEM(channels))];
	placed = d->base - (long long)d->days * 86400 +
	    (long long)pick(&r, d->days * 86400);
	upd = placed + 60 + pick(&r, 1800);
	eta = (placed / 3600 + 12 + pick(&r, 36)) * 3600;
	pl = pick_place(&r);
	address(&r, pl, addr, sizeof addr);
	u = pick(&r, NELEM(families));
	j = pick(&r, NELEM(given1));
	i = pick(&r, NELEM(given2));
	snprintf(name, sizeof name, "%s%s%s", families[u], given1[j],
	    given2[i]);
	ph1 = 2000 + pick(&r, 8000);
	ph2 = pick(&r, 10000);
	post = pl->post_lo + pick(&r, pl->post_hi - pl->post_lo + 1);
	u = pick(&r, 4 * NELEM(memos));
	if (u < NELEM(memos))
		snprintf(memo, sizeof memo, ",\"memo\":\"%s\"", memos[u]);
	else
		memo[0] = '\0';
	u = pick(&r, 25);
	nitems = u < 17 ? 1 : u < 23 ? 2 : 3;
	for (i = 0; i < nitems; i++) {
		do {	/* one line per product */
			sku[i] = pick_product(&r);
			for (j = 0; j < i && sku[j] != sku[i]; j++)
				;
		} while (j < i);
		u = pick(&r, 20);
		qty[i] = u < 12 ? 1 : u < 16 ? 2 : u < 18 ? 3 : u < 19 ? 4 : 5;
		total += (long long)qty[i] * price(sku[i]);
	}

	if (rev > 0) {
		/* A later update from the channel; status-neutral. */
		seed_rng(&rr, d->seed, n, rev);
		upd += (long long)rev * 3600 + pick(&rr, 600);
		if (pick(&rr, 3) != 0)
			eta += 1800 * (1 + (long long)pick(&rr, 4)) *
			    (rev % 2 ? 1 : -1);
		if (pick(&rr, 4) == 0)
			zsuffix = "-2";
	}
	uoms_demo_time(placed, placed_s);
	uoms_demo_time(upd, upd_s);
	uoms_demo_time(eta, eta_s);
	order_id(ch, n, placed, oid, sizeof oid);
	civil(placed, &y, &mo, &dd, &s);

	put(&o, "{\"channel\":\"%s\",\"external_order_id\":\"%s\","
	    "\"order_no\":\"%02d%02d-%06llu\",\"kind\":\"delivery\","
	    "\"department\":\"%s\",\"warehouse\":\"%s\","
	    "\"customer\":{\"name\":\"%s\",\"phone\":\"010-%04u-%04u\"},"
	    "\"shipping\":{\"postal_code\":\"%05u\",\"address\":\"%s\","
	    "\"zone\":\"%s%s\"%s},\"eta\":\"%s\",\"placed_at\":\"%s\","
	    "\"channel_updated_at\":\"%s\",\"total_amount\":%lld,"
	    "\"currency\":\"KRW\",\"items\":[",
	    ch, oid, y % 100, mo, n % 1000000, pl->dept, pl->warehouse, name,
	    ph1, ph2, post, addr,
	    pl->zone, zsuffix, memo, eta_s, placed_s, upd_s, total);
	for (i = 0; i < nitems; i++) {
		const struct category *c = &catalog[sku[i] % 8];
		int k = sku[i] / 8;

		item_id(ch, n, i, iid, sizeof iid);
		put(&o, "%s{\"external_item_id\":\"%s\",\"sku\":\"SKU-%04d\","
		    "\"name\":\"%s %s %s\",\"quantity\":%d,\"unit_price\":%d}",
		    i ? "," : "", iid, sku[i] + 1, c->brands[k % 5],
		    c->products[k % 5], c->variants[k / 5], qty[i],
		    price(sku[i]));
	}
	put(&o, "]}");
	return o.over ? -1 : (int)o.n;
}
