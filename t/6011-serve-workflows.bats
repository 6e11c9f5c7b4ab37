#!/usr/bin/env bats
# uoms-serve's workflow routes (lib/serve-workflows.c): GET /workflows
# and GET /workflows/{name}, the state machines as the workflow module
# loads them (SPEC 6): a file in the configuration's workflows/ replaces
# the shipped one, and is what is served. The dashboard draws an order's
# buttons from them (t/6009). Both engines (t/pg-files).
load helper

setup_file() {
	export UOMS_JWT_KEY=6011-serve-workflows-signing-key-0123456789abcdef
}

teardown() { serve_stop; }

# An admin (ada) and a user (uma), the server started with ARGS.
start() {
	serve_user ada admin
	UOMS_ACTOR=ada serve_user uma user east
	export UOMS_ACTOR=ada
	serve_start "$@"
}

@test "GET /workflows lists the shipped workflows; each is its file, edge for edge, roles included" {
	start
	login uma
	[ "$(api GET /workflows)" = 200 ]
	resp_header Content-Type | grep -qi '^application/json'
	python3 -c 'import json,sys; print(" ".join(json.load(sys.stdin)["workflows"]))' <resp.body >got
	[ "$(cat got)" = "dispatch food-delivery fulfillment" ]

	[ "$(api GET /workflows/dispatch)" = 200 ]
	python3 - resp.body <<'PY'
import json, sys
w = json.load(open(sys.argv[1]))
assert w["name"] == "dispatch", w
assert w["initial"] == "WAITING", w
assert w["states"] == ["WAITING", "IN_PROGRESS", "COMPLETE", "ISSUE", "CANCEL"], w["states"]
assert w["terminal"] == ["COMPLETE", "ISSUE", "CANCEL"], w["terminal"]
assert w["assignable"] == ["WAITING"], w["assignable"]
assert w["ships"] == "IN_PROGRESS", w["ships"]
assert w["overridden"] is False, w
got = [(t["from"], t["to"], t["action"], t["roles"]) for t in w["transitions"]]
both = ["user", "admin"]
assert got == [("WAITING", "IN_PROGRESS", "depart", both), ("WAITING", "CANCEL", "cancel", both),
               ("IN_PROGRESS", "COMPLETE", "complete", both), ("IN_PROGRESS", "ISSUE", "issue", both),
               ("IN_PROGRESS", "CANCEL", "cancel", both)], got
PY
	# Every shipped workflow is served as uoms-status moves by it: each
	# action of its file is a transition of the answer.
	for name in food-delivery fulfillment; do
		[ "$(api GET "/workflows/$name")" = 200 ]
		[ "$(jget name <resp.body)" = "$name" ]
		python3 - resp.body "$SRC/share/uoms/workflows/$name.yaml" <<'PY'
import json, re, sys
w = json.load(open(sys.argv[1]))
actions = set(re.findall(r"action: *([A-Za-z0-9_-]+)", open(sys.argv[2]).read()))
assert actions == {t["action"] for t in w["transitions"]}, (actions, w["transitions"])
assert set(w["terminal"]) <= set(w["states"]) and w["initial"] in w["states"]
PY
	done
}

@test "/openapi.json lists both routes, for any signed-in user" {
	start
	[ "$(TOKEN= api GET /openapi.json)" = 200 ]
	python3 - resp.body <<'PY'
import json, sys
paths = json.load(open(sys.argv[1]))["paths"]
for p in ("/workflows", "/workflows/{name}"):
    op = paths[p]["get"]
    assert op["x-uoms-role"] == "user", (p, op)
    assert op["security"] == [{"bearerAuth": []}], (p, op)
assert [x["name"] for x in paths["/workflows/{name}"]["get"]["parameters"]] == ["name"]
PY
}

@test "GET /workflows/{name}: an unknown or malformed name is 404; without a token 401" {
	start
	login uma
	[ "$(api GET /workflows/nope)" = 404 ]
	[ "$(jget error.code <resp.body)" = not_found ]
	[[ "$(jget error.message <resp.body)" == *"no workflow 'nope'"* ]]
	[ "$(api GET /workflows/..%2Fuoms)" = 404 ]
	[ "$(api GET /workflows/%E2%80%8Bdispatch)" = 404 ]
	TOKEN= run api GET /workflows
	[ "$output" = 401 ]
	TOKEN= run api GET /workflows/dispatch
	[ "$output" = 401 ]
}

@test "an overridden workflow (the configuration's workflows/dispatch.yaml) is served as overridden, and is what orders move by" {
	mkdir -p etc/workflows
	# dispatch with a step of its own: WAITING -> HELD by 'hold-back'
	# (admins only), HELD -> WAITING by 'release'.
	cat >etc/workflows/dispatch.yaml <<'YAML'
name: dispatch
initial: WAITING
states:
  WAITING:     { clear: [depart_time, complete_time], assign: true }
  HELD:        { assign: true }
  IN_PROGRESS: { set: [depart_time], ships: true }
  COMPLETE:    { set: [complete_time], terminal: true }
  CANCEL:      { clear: [depart_time, complete_time], terminal: true }
transitions:
  - { from: WAITING, to: IN_PROGRESS, action: depart }
  - { from: WAITING, to: HELD, action: hold-back, roles: [admin] }
  - { from: HELD, to: WAITING, action: release }
  - { from: IN_PROGRESS, to: COMPLETE, action: complete }
  - { from: [WAITING, HELD, IN_PROGRESS], to: CANCEL, action: cancel }
YAML
	cp "$SRC/t/data/workflow-roles.yaml" etc/workflows/
	: >etc/uoms.yaml
	export UOMS_CONFIG=$PWD/etc/uoms.yaml
	start
	login uma
	[ "$(api GET /workflows)" = 200 ]
	[ "$(jget workflows <resp.body)" = '["dispatch", "food-delivery", "fulfillment", "workflow-roles"]' ]
	[ "$(api GET /workflows/dispatch)" = 200 ]
	python3 - resp.body <<'PY'
import json, sys
w = json.load(open(sys.argv[1]))
assert w["overridden"] is True, w
assert w["states"] == ["WAITING", "HELD", "IN_PROGRESS", "COMPLETE", "CANCEL"], w["states"]
assert "ISSUE" not in w["states"]
assert w["assignable"] == ["WAITING", "HELD"], w["assignable"]
got = [(t["from"], t["to"], t["action"], t["roles"]) for t in w["transitions"]]
assert ("WAITING", "HELD", "hold-back", ["admin"]) in got, got
assert ("HELD", "WAITING", "release", ["user", "admin"]) in got, got
assert ("HELD", "CANCEL", "cancel", ["user", "admin"]) in got, got
PY
	# The shipped ones the override does not touch are served as shipped.
	[ "$(api GET /workflows/fulfillment)" = 200 ]
	[ "$(jget overridden <resp.body)" = False ]
	# A transition without an action is served with action null.
	[ "$(api GET /workflows/workflow-roles)" = 200 ]
	python3 -c 'import json,sys; w=json.load(sys.stdin); assert {"from":"REVIEW","to":"OPEN","action":None,"roles":["user","admin"]} in w["transitions"], w' <resp.body
	# And the server moves orders by the file it serves.
	orders 1 | uoms-upsert >/dev/null
	login ada
	[ "$(api POST /orders/1/actions/hold-back '{}')" = 200 ]
	[ "$(jget status <resp.body)" = HELD ]
	[ "$(api POST /orders/1/actions/release '{}')" = 200 ]
	[ "$(jget status <resp.body)" = WAITING ]
}

@test "a broken workflow file is the server's fault (500, the cause in its log), never a crash" {
	mkdir -p etc/workflows
	printf 'name: dispatch\ninitial: NOWHERE\nstates: { A: {} }\ntransitions: []\n' >etc/workflows/fulfillment.yaml
	: >etc/uoms.yaml
	export UOMS_CONFIG=$PWD/etc/uoms.yaml
	start
	login uma
	[ "$(api GET /workflows/fulfillment)" = 500 ]
	[ "$(jget error.code <resp.body)" = internal ]
	run ! grep -q NOWHERE resp.body
	wait_for grep -q 'workflow fulfillment:' serve.log
	# The server still answers.
	[ "$(api GET /workflows/dispatch)" = 200 ]
}
