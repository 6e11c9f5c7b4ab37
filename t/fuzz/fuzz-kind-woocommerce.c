/* fuzz-kind-woocommerce: the woocommerce kind's answer mapper; see fuzz-kind.h. */
#define FUZZ_KIND uoms_kind_woocommerce
#define FUZZ_BASE_URL "https://shop.example/"
#define FUZZ_SETTINGS "{}"
#include "fuzz-kind.h"
