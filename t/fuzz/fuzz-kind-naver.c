/* fuzz-kind-naver: the naver kind's answer mapper; see fuzz-kind.h. */
#define FUZZ_KIND uoms_kind_naver
#define FUZZ_BASE_URL "http://127.0.0.1:9/"
#define FUZZ_SETTINGS "{}"
#include "fuzz-kind.h"
