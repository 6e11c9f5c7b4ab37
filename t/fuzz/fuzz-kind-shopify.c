/* fuzz-kind-shopify: the shopify kind's GraphQL answer mapper; see fuzz-kind.h. */
#define FUZZ_KIND uoms_kind_shopify
#define FUZZ_BASE_URL "https://acme.myshopify.com"
#define FUZZ_SETTINGS "{}"
#include "fuzz-kind.h"
