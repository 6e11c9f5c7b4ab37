/* fuzz-kind-coupang: the coupang kind's answer mapper; see fuzz-kind.h. */
#define FUZZ_KIND uoms_kind_coupang
#define FUZZ_BASE_URL "http://127.0.0.1:9/"
#define FUZZ_SETTINGS "{\"vendor_id\":\"A00012345\"}"
#include "fuzz-kind.h"
