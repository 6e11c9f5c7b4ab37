#!/usr/bin/env bats
# uoms-serve's sign-in (issue 12, api.md "Auth"): login, the bearer check
# of every refusal shape, refresh rotation and reuse, logout,
# check-session, login throttling, a disabled user shut out at once.
# Runs on both engines (t/pg-files).

load helper

# The key the server signs with, known here so that tests can sign
# tokens of their own (expired, not valid yet, with another header).
KEY=test-key-6002-0123456789abcdef0123456789

setup_file() {
	export UOMS_JWT_KEY=$KEY
}

# users: root (admin, so that uoms-user takes root's word from then on),
# ann (user, east), bob (user, no department).
users() {
	serve_user root admin
	export UOMS_ACTOR=root
	serve_user ann user east
	serve_user bob user
}

# craft HEADER-JSON PAYLOAD-JSON [KEY]: a token signed with HMAC-SHA256
# under KEY (the server's unless given), whatever the header says; KEY
# "-" leaves the signature empty (alg none).
craft() {
	python3 - "$1" "$2" "${3:-$KEY}" <<'PY'
import base64, hashlib, hmac, sys
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
signing = b64(sys.argv[1].encode()) + "." + b64(sys.argv[2].encode())
sig = "" if sys.argv[3] == "-" else b64(hmac.new(sys.argv[3].encode(), signing.encode(), hashlib.sha256).digest())
print(signing + "." + sig)
PY
}

# claims TOKEN: the payload of a token, as JSON.
claims() {
	python3 -c '
import base64, sys
p = sys.argv[1].split(".")[1]
print(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)).decode())' "$1"
}

# payload [EXP-OFFSET [NBF-OFFSET [SUB [ROLE]]]]: claims for ann, times
# relative to now.
payload() {
	local now
	now=$(date -u +%s)
	printf '{"sub":"%s","role":"%s","dept":"east","iat":%d,"nbf":%d,"exp":%d}' \
	    "${3:-ann}" "${4:-user}" "$now" "$((now + ${2:-0}))" "$((now + ${1:-300}))"
}

HS='{"alg":"HS256","typ":"JWT"}'

# is_401 [CHALLENGE]: the last answer was 401 unauthorized with a
# WWW-Authenticate Bearer challenge.
is_401() {
	[ "$(jget error.code <resp.body)" = unauthorized ] || { cat resp.body >&2; return 1; }
	case $(resp_header WWW-Authenticate) in
	Bearer*) ;;
	*) echo "WWW-Authenticate: $(resp_header WWW-Authenticate)" >&2; return 1 ;;
	esac
}

@test "login answers an HS256 access token with the user's claims and a refresh token" {
	users
	serve_start
	run api POST /auth/login '{"username":"ann","password":"pw-ann"}'
	[ "$output" = 200 ]
	[ "$(jget token_type <resp.body)" = Bearer ]
	ttl=$(jget expires_in <resp.body)
	[ "$ttl" -gt 0 ]
	access=$(jget access_token <resp.body)
	refresh=$(jget refresh_token <resp.body)
	[ "${#refresh}" -eq 43 ]
	[ "$(resp_header Cache-Control)" = no-store ]
	header=$(python3 -c '
import base64, sys
h = sys.argv[1].split(".")[0]
print(base64.urlsafe_b64decode(h + "=" * (-len(h) % 4)).decode())' "$access")
	[ "$(jget alg <<<"$header")" = HS256 ]
	c=$(claims "$access")
	[ "$(jget sub <<<"$c")" = ann ]
	[ "$(jget role <<<"$c")" = user ]
	[ "$(jget dept <<<"$c")" = east ]
	iat=$(jget iat <<<"$c") nbf=$(jget nbf <<<"$c") exp=$(jget exp <<<"$c")
	[ "$nbf" = "$iat" ]
	[ "$((exp - iat))" = "$ttl" ]
	now=$(date -u +%s)
	[ "$iat" -le "$now" ] && [ "$iat" -ge "$((now - 60))" ]
	TOKEN=$access
	run api GET /auth/check-session
	[ "$output" = 200 ]
}

@test "a bad password and an unknown user get the same 401" {
	users
	serve_start
	run api POST /auth/login '{"username":"ann","password":"wrong"}'
	[ "$output" = 401 ]
	is_401
	cp resp.body bad-password
	run api POST /auth/login '{"username":"nobody","password":"pw-ann"}'
	[ "$output" = 401 ]
	is_401
	cmp bad-password resp.body
	# A disabled user's right password is no better.
	uoms-user disable bob
	run api POST /auth/login '{"username":"bob","password":"pw-bob"}'
	[ "$output" = 401 ]
	cmp bad-password resp.body
}

@test "a login without its members, or not JSON, is 400" {
	users
	serve_start
	for body in '{"username":"ann"}' '{"password":"pw-ann"}' \
	    '{"username":"","password":"pw-ann"}' \
	    '{"username":"ann","password":7}' '{}' '[]' '{"username":' 'ann'; do
		run api POST /auth/login "$body"
		[ "$output" = 400 ] || { echo "$body: $output" >&2; false; }
	done
	run api POST /auth/login
	[ "$output" = 400 ]
}

@test "no bearer token, or a malformed one, is 401 with a Bearer challenge" {
	users
	serve_start
	run api GET /auth/check-session
	[ "$output" = 401 ]
	is_401
	[ "$(resp_header WWW-Authenticate)" = Bearer ]
	for t in x a.b a.b.c.d ... "$(craft "$HS" "$(payload)").x" \
	    "$(craft "$HS" "$(payload)")=" '!!.??.**'; do
		TOKEN=$t
		run api GET /auth/check-session
		[ "$output" = 401 ] || { echo "$t: $output" >&2; false; }
		is_401
	done
	TOKEN=
	good=$(craft "$HS" "$(payload)")
	run api GET /auth/check-session '' -H "Authorization: Basic $good"
	[ "$output" = 401 ]
	run api GET /auth/check-session '' -H "Authorization: Bearer"
	[ "$output" = 401 ]
	# The same token, well introduced, is good: the refusals above were
	# for their shape.
	run api GET /auth/check-session '' -H "Authorization: Bearer $good"
	[ "$output" = 200 ]
}

@test "alg none, RS256, no alg, a forged signature, expired, nbf ahead: 401" {
	users
	serve_start
	TOKEN=$(craft "$HS" "$(payload)")
	run api GET /auth/check-session
	[ "$output" = 200 ]
	for t in \
	    "$(craft '{"alg":"none","typ":"JWT"}' "$(payload)" -)" \
	    "$(craft '{"alg":"none"}' "$(payload)")" \
	    "$(craft '{"alg":"RS256","typ":"JWT"}' "$(payload)")" \
	    "$(craft '{"typ":"JWT"}' "$(payload)")" \
	    "$(craft "$HS" "$(payload)" another-key)" \
	    "$(craft "$HS" "$(payload -10)")" \
	    "$(craft "$HS" "$(payload 300 60)")" \
	    "$(craft "$HS" '{"sub":"ann"}')" \
	    "$(craft "$HS" '{"sub":"ann",')"; do
		TOKEN=$t
		run api GET /auth/check-session
		[ "$output" = 401 ] || { echo "$(claims "$t"): $output" >&2; false; }
		is_401
	done
}

@test "check-session says who, with the role and department the store has now" {
	users
	serve_start
	login ann
	run api GET /auth/check-session
	[ "$output" = 200 ]
	[ "$(jget user <resp.body)" = ann ]
	[ "$(jget role <resp.body)" = user ]
	[ "$(jget department <resp.body)" = east ]
	exp=$(claims "$TOKEN" | jget exp)
	[ "$(jget expires_at <resp.body)" = "$(date -u -d "@$exp" +%Y-%m-%dT%H:%M:%SZ)" ]
	login bob
	run api GET /auth/check-session
	[ "$(jget department <resp.body)" = null ]
	# A token that claims admin for a user: the store's word counts.
	TOKEN=$(craft "$HS" "$(payload 300 0 ann admin)")
	run api GET /auth/check-session
	[ "$output" = 200 ]
	[ "$(jget role <resp.body)" = user ]
	# A token of a name the store doesn't have.
	TOKEN=$(craft "$HS" "$(payload 300 0 ghost admin)")
	run api GET /auth/check-session
	[ "$output" = 401 ]
	is_401
}

@test "refresh hands out new tokens and uses the old refresh token up" {
	users
	serve_start
	api POST /auth/login '{"username":"ann","password":"pw-ann"}' >/dev/null
	r1=$(jget refresh_token <resp.body)
	run api POST /auth/refresh "{\"refresh_token\":\"$r1\"}"
	[ "$output" = 200 ]
	[ "$(jget token_type <resp.body)" = Bearer ]
	r2=$(jget refresh_token <resp.body)
	[ "$r2" != "$r1" ]
	TOKEN=$(jget access_token <resp.body)
	run api GET /auth/check-session
	[ "$output" = 200 ]
	[ "$(jget user <resp.body)" = ann ]
	TOKEN=
	run api POST /auth/refresh "{\"refresh_token\":\"$r2\"}"
	[ "$output" = 200 ]
	r3=$(jget refresh_token <resp.body)
	run api POST /auth/refresh "{\"refresh_token\":\"$r3\"}"
	[ "$output" = 200 ]
	for body in '{}' '{"refresh_token":7}' 'x'; do
		run api POST /auth/refresh "$body"
		[ "$output" = 400 ]
	done
	run api POST /auth/refresh '{"refresh_token":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}'
	[ "$output" = 401 ]
	is_401
	# An access token is no refresh token.
	login ann
	run api POST /auth/refresh "{\"refresh_token\":\"$TOKEN\"}"
	[ "$output" = 401 ]
}

@test "a used refresh token shown again revokes its whole family, the newest too" {
	users
	serve_start
	api POST /auth/login '{"username":"ann","password":"pw-ann"}' >/dev/null
	r1=$(jget refresh_token <resp.body)
	api POST /auth/refresh "{\"refresh_token\":\"$r1\"}" >/dev/null
	r2=$(jget refresh_token <resp.body)
	# Another login of ann's: another family, not touched.
	api POST /auth/login '{"username":"ann","password":"pw-ann"}' >/dev/null
	other=$(jget refresh_token <resp.body)
	run api POST /auth/refresh "{\"refresh_token\":\"$r1\"}"
	[ "$output" = 401 ]
	is_401
	run api POST /auth/refresh "{\"refresh_token\":\"$r2\"}"
	[ "$output" = 401 ]
	run api POST /auth/refresh "{\"refresh_token\":\"$other\"}"
	[ "$output" = 200 ]
	# No token in the clear in the store.
	! sql 'SELECT hash FROM refresh_tokens' | grep -qF -e "$r1" -e "$r2" -e "$other" || false
	[ "$(sql 'SELECT count(*) FROM refresh_tokens')" -ge 3 ]
}

@test "logout revokes the session of its refresh token, and needs a bearer" {
	users
	serve_start
	api POST /auth/login '{"username":"ann","password":"pw-ann"}' >/dev/null
	r1=$(jget refresh_token <resp.body)
	run api POST /auth/logout "{\"refresh_token\":\"$r1\"}"
	[ "$output" = 401 ]
	is_401
	# bob's logout with ann's refresh token leaves it alone.
	login bob
	run api POST /auth/logout "{\"refresh_token\":\"$r1\"}"
	[ "$output" = 204 ]
	login ann
	run api POST /auth/logout "{\"refresh_token\":\"$r1\"}"
	[ "$output" = 204 ]
	[ ! -s resp.body ]
	TOKEN=
	run api POST /auth/refresh "{\"refresh_token\":\"$r1\"}"
	[ "$output" = 401 ]
	login ann
	run api POST /auth/logout
	[ "$output" = 204 ]
	run api POST /auth/logout '{"refresh_token":7}'
	[ "$output" = 400 ]
}

@test "bob's logout with ann's refresh token does not revoke it" {
	users
	serve_start
	api POST /auth/login '{"username":"ann","password":"pw-ann"}' >/dev/null
	r1=$(jget refresh_token <resp.body)
	login bob
	run api POST /auth/logout "{\"refresh_token\":\"$r1\"}"
	[ "$output" = 204 ]
	TOKEN=
	run api POST /auth/refresh "{\"refresh_token\":\"$r1\"}"
	[ "$output" = 200 ]
}

# login_code NAME PASSWORD: the status of a login.
login_code() {
	TOKEN= api POST /auth/login "{\"username\":\"$1\",\"password\":\"$2\"}"
}

# The throttling tests judge the same failures with two windows: the
# first server's long one (the failures, however slowly bcrypt makes
# them, are all within it), then a second server's on the same store,
# of one second, to see them leave it (the store counts, not a server).
# second_server: the running server kept aside (FIRST_PID, FIRST_URL),
# and another started with a window of a second.
second_server() {
	FIRST_PID=$SERVE_PID FIRST_URL=$SERVE_URL
	SERVE_PID=
	cp serve.log first.log
	printf 'serve:\n  login_window: 1\n' >short.yaml
	serve_start -c short.yaml
	[ "$SERVE_URL" != "$FIRST_URL" ]
}

teardown() {
	serve_stop
	if [ -n "${FIRST_PID:-}" ]; then
		kill -TERM "$FIRST_PID" 2>/dev/null || true
		wait "$FIRST_PID" 2>/dev/null || true
	fi
}

@test "five failed logins of a user are 429 with Retry-After until the window passes" {
	users
	printf 'serve:\n  login_window: 600\n' >uoms.yaml
	serve_start -c uoms.yaml
	for i in 1 2 3 4 5; do
		[ "$(login_code ann wrong)" = 401 ]
	done
	[ "$(login_code ann pw-ann)" = 429 ]
	[ "$(jget error.code <resp.body)" = too_many_requests ]
	retry=$(resp_header Retry-After)
	[ "$retry" -ge 1 ] && [ "$retry" -le 600 ]
	# Another user is not held up by ann's failures.
	[ "$(login_code bob pw-bob)" = 200 ]
	second_server
	wait_for -t 10 eval '[ "$(login_code ann pw-ann)" = 200 ]'
	# The success forgot ann's failures, for the first server too.
	SERVE_URL=$FIRST_URL
	[ "$(login_code ann pw-ann)" = 200 ]
	[ "$(login_code ann wrong)" = 401 ]
}

@test "twenty failed logins from one address are 429 for any name" {
	users
	printf 'serve:\n  login_window: 600\n' >uoms.yaml
	serve_start -c uoms.yaml
	for i in $(seq 20); do
		[ "$(login_code "guess$i" wrong)" = 401 ]
	done
	[ "$(login_code bob pw-bob)" = 429 ]
	[ "$(resp_header Retry-After)" -ge 1 ]
	second_server
	wait_for -t 10 eval '[ "$(login_code bob pw-bob)" = 200 ]'
	# A success does not clear the address's failures of other names.
	SERVE_URL=$FIRST_URL
	[ "$(login_code carl pw-carl)" = 429 ]
}

@test "a disabled user's live access token is 401 at once, and so is its refresh" {
	users
	serve_start
	api POST /auth/login '{"username":"ann","password":"pw-ann"}' >/dev/null
	TOKEN=$(jget access_token <resp.body)
	r1=$(jget refresh_token <resp.body)
	run api GET /auth/check-session
	[ "$output" = 200 ]
	uoms-user disable ann
	run api GET /auth/check-session
	[ "$output" = 401 ]
	is_401
	TOKEN=
	run api POST /auth/refresh "{\"refresh_token\":\"$r1\"}"
	[ "$output" = 401 ]
	is_401
}

@test "no password or token reaches the server's log" {
	users
	serve_start
	login_code ann wrong-s3cret >/dev/null
	api POST /auth/login '{"username":"ann","password":"pw-ann"}' >/dev/null
	TOKEN=$(jget access_token <resp.body)
	r1=$(jget refresh_token <resp.body)
	api GET /auth/check-session >/dev/null
	api POST /auth/refresh "{\"refresh_token\":\"$r1\"}" >/dev/null
	api POST /auth/refresh "{\"refresh_token\":\"$r1\"}" >/dev/null
	api POST /auth/logout "{\"refresh_token\":\"$r1\"}" >/dev/null
	serve_stop
	[ -s serve.log ]
	run ! grep -F -e wrong-s3cret -e pw-ann -e "$TOKEN" -e "$r1" -e "$KEY" serve.log
}

@test "sixteen bad logins of a user at once: at most five are 401, the rest 429" {
	users
	# a bcrypt of some cost: the logins overlap while their hashes run
	printf 'pw-ann\n' | UOMS_PASSWORD_COST=10 uoms-user passwd ann \
	    --password-stdin >/dev/null
	printf 'serve:\n  login_window: 600\n' >uoms.yaml
	serve_start -c uoms.yaml --threads 8
	pids=()
	for i in $(seq 16); do
		curl -s -o /dev/null -w '%{http_code}\n' -X POST \
		    -H 'Content-Type: application/json' \
		    --data-binary '{"username":"ann","password":"wrong"}' \
		    "$SERVE_URL/auth/login" >"code.$i" &
		pids+=($!)
	done
	for pid in "${pids[@]}"; do
		wait "$pid"
	done
	cat code.* | sort | uniq -c >codes
	[ "$(cat code.* | grep -c .)" = 16 ]
	# every answer is one of the two, and the check and the count of a
	# failure were one step: no more than the limit got through to 401
	[ "$(grep -cvE '^(401|429)$' <(cat code.*))" = 0 ] || { cat codes; false; }
	[ "$(grep -c '^401$' <(cat code.*))" -le 5 ] || { cat codes; false; }
	[ "$(grep -c '^429$' <(cat code.*))" -ge 11 ]
	[ "$(sql "SELECT count(*) FROM login_failures WHERE kind = 'user'
	    AND subject = 'ann'")" -le 5 ]
}

@test "a bad serve.login_window stops the start (3), naming the setting" {
	for bad in 0 -5 abc 99999999999 1.5; do
		printf 'serve:\n  login_window: %s\n' "$bad" >bad.yaml
		# bounded: a server that took it would serve on
		run --separate-stderr timeout 10 uoms-serve -c bad.yaml \
		    --listen 127.0.0.1:0
		[ "$status" -eq 3 ] || { echo "$bad: $status $stderr"; false; }
		[ -z "$output" ]
		[[ "$stderr" == *"serve.login_window must be a whole number from 1 to 2592000"* ]]
	done
	printf 'serve:\n  login_window: 60\n' >good.yaml
	serve_start -c good.yaml
	[ "$(api GET /healthz)" = 200 ]
}

# --- servespeed (issue 12, row p): a GET goes on with the user its thread
# read last while no commit has reached the store since; these are the
# changes that must still count from the very next request.
@test "a warm user on a GET: another process's move, promotion and disable count from the next GET" {
	users
	{
		order 100001
		order 100002 department='"west"'
	} | uoms-upsert >/dev/null
	# One thread, so every GET is served by the thread that read ann.
	serve_start --threads 1
	login ann
	for i in 1 2 3; do
		[ "$(api GET /orders/1)" = 200 ]
		[ "$(api GET /orders/2)" = 403 ]
	done
	uoms-user set ann --department west
	[ "$(api GET /orders/1)" = 403 ]
	[ "$(api GET /orders/2)" = 200 ]
	[ "$(api GET /users)" = 403 ]
	uoms-user set ann --role admin
	[ "$(api GET /users)" = 200 ]
	[ "$(api GET /orders/1)" = 200 ]
	# A commit that leaves ann as she is changes no answer.
	uoms-status --to IN_PROGRESS 1 >/dev/null
	[ "$(api GET /orders/1)" = 200 ]
	[ "$(jget status <resp.body)" = IN_PROGRESS ]
	uoms-user disable ann
	[ "$(api GET /orders/2)" = 401 ]
	[ "$(api GET /auth/check-session)" = 401 ]
}

@test "a warm user on a GET: a change made through the same thread counts from the next GET" {
	users
	order 100001 | uoms-upsert >/dev/null
	serve_start --threads 1
	login root
	root_token=$TOKEN
	login ann
	ann_token=$TOKEN
	[ "$(api GET /orders/1)" = 200 ]
	[ "$(TOKEN=$root_token api PATCH /users/ann '{"department":"west"}')" = 200 ]
	[ "$(api GET /orders/1)" = 403 ]
	[ "$(TOKEN=$root_token api POST /users/ann/disable)" = 200 ]
	[ "$(TOKEN=$ann_token api GET /orders/1)" = 401 ]
}
