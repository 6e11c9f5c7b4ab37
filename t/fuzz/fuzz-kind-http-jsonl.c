/* fuzz-kind-http-jsonl: the http-jsonl kind's answer mapper; see fuzz-kind.h. */
#define FUZZ_KIND uoms_kind_http_jsonl
#define FUZZ_BASE_URL "https://orders.example/api"
#define FUZZ_SETTINGS "{\"path\":\"/orders\",\"products_path\":\"/products\"}"
#include "fuzz-kind.h"
