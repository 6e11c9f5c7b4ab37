/* fuzz-kind-shopify-rest: the shopify kind's legacy REST mapper (api=rest). */
#define FUZZ_KIND uoms_kind_shopify
#define FUZZ_BASE_URL "https://acme.myshopify.com"
#define FUZZ_SETTINGS "{\"api\":\"rest\"}"
#include "fuzz-kind.h"
