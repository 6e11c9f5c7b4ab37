/*
 * The uoms dashboard: one page over uoms-serve's API (no build step, no
 * CDN, nothing inline: the server's Content-Security-Policy allows only
 * this file). Signed-in state lives in memory and sessionStorage (gone
 * with the tab); the board, the chart and the list follow the event
 * stream; an open order shows what its workflow allows and sends every
 * change with If-Match, so a change made behind the person's back is a
 * 412 they are told about, never a lost update.
 */
'use strict';

(function () {
	var $ = function (id) { return document.getElementById(id); };

	/* Others' locks are looked at this often while an order is open. */
	var LOCK_POLL_MS = 2000;

	var S = {
		access: null, refresh: null,
		user: null, role: null, dept: null,
		order: null, etag: null, remarks: [], events: [],
		pending: null,		/* the change a 412 refused, for Retry */
		held: {},		/* lock type -> renew timer, ours */
		workflows: {},		/* name -> GET /workflows/{name}, a promise */
		workflow: null,		/* the open order's, as that answered */
		others: [],		/* locks of this order held by others */
		lockPoll: null,
		stream: null, lastEventId: null, streamGen: 0,
		cursor: null, refreshTimer: null
	};

	/* ---- small helpers ---- */

	function show(el, on) { el.hidden = !on; }

	function text(el, s) { el.textContent = s == null ? '' : String(s); }

	function el(tag, attrs, children) {
		var e = document.createElement(tag);
		var k;
		for (k in attrs || {}) {
			if (k === 'text')
				e.textContent = attrs[k] == null ? '' : String(attrs[k]);
			else if (k.indexOf('data-') === 0 || k === 'class' || k === 'href' || k === 'type' || k === 'title' || k === 'role')
				e.setAttribute(k, attrs[k]);
			else
				e[k] = attrs[k];
		}
		(children || []).forEach(function (c) { if (c) e.appendChild(c); });
		return e;
	}

	function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); }

	function delay(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

	/* Times are UTC in the API; people read them in their own zone. */
	function when(t) {
		if (!t) return '';
		var d = new Date(t);
		return isNaN(d) ? t : d.toLocaleString();
	}

	function errText(r) {
		var e = r && r.data && r.data.error;
		if (e) return e.code + ': ' + e.message;
		return 'HTTP ' + (r ? r.status : '?');
	}

	function fail(id, msg) {
		var e = $(id);
		text(e, msg);
		show(e, !!msg);
	}

	/* ---- tokens and requests ---- */

	function saveTokens(t) {
		S.access = t.access_token;
		S.refresh = t.refresh_token;
		sessionStorage.setItem('uoms.tokens',
		    JSON.stringify({ access: S.access, refresh: S.refresh }));
	}

	function loadTokens() {
		try {
			var t = JSON.parse(sessionStorage.getItem('uoms.tokens') || 'null');
			if (t) { S.access = t.access; S.refresh = t.refresh; }
		} catch (e) { /* a broken entry is no session */ }
	}

	function clearTokens() {
		S.access = S.refresh = null;
		sessionStorage.removeItem('uoms.tokens');
	}

	/*
	 * One refresh at a time: a refresh token is used up by its first use
	 * (reusing it revokes the family), so requests failing together wait
	 * for the same one.
	 */
	var refreshing = null;
	function refreshTokens() {
		if (!S.refresh) return Promise.resolve(false);
		if (!refreshing) {
			refreshing = fetch('/auth/refresh', {
				method: 'POST', cache: 'no-store',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify({ refresh_token: S.refresh })
			}).then(function (r) {
				if (r.status !== 200) return false;
				return r.json().then(function (t) { saveTokens(t); return true; });
			}).catch(function () { return false; }).then(function (ok) {
				refreshing = null;
				return ok;
			});
		}
		return refreshing;
	}

	/*
	 * One API request: JSON body, bearer token; a 401 refreshes the tokens
	 * once and tries again, a second 401 signs the person out. Resolves to
	 * {status, data (parsed JSON or null), text, headers}.
	 */
	async function api(method, path, opts) {
		opts = opts || {};
		for (var attempt = 0; ; attempt++) {
			var h = {}, k, body;
			for (k in opts.headers || {})
				if (opts.headers[k] != null) h[k] = opts.headers[k];
			if (S.access) h.Authorization = 'Bearer ' + S.access;
			if (opts.body !== undefined) {
				h['Content-Type'] = 'application/json';
				body = JSON.stringify(opts.body);
			}
			var r;
			try {
				r = await fetch(path, { method: method, headers: h, body: body,
				    cache: 'no-store', keepalive: !!opts.keepalive });
			} catch (e) {
				return { status: 0, data: null, text: String(e), headers: new Headers() };
			}
			if (r.status === 401 && attempt === 0 && path !== '/auth/login' &&
			    path !== '/auth/refresh' && await refreshTokens())
				continue;
			var t = r.status === 204 || r.status === 304 ? '' : await r.text();
			var data = null;
			if (t && (r.headers.get('Content-Type') || '').indexOf('json') >= 0) {
				try { data = JSON.parse(t); } catch (e) { data = null; }
			}
			var res = { status: r.status, data: data, text: t, headers: r.headers };
			if (r.status === 401 && path !== '/auth/login')
				signedOut('Your session has ended: please sign in again.');
			return res;
		}
	}

	/* ---- signing in and out ---- */

	async function onLogin(ev) {
		ev.preventDefault();
		fail('login-error', '');
		var r = await api('POST', '/auth/login', { body: {
			username: $('login-user').value, password: $('login-pass').value } });
		if (r.status === 200 && r.data) {
			saveTokens(r.data);
			$('login-pass').value = '';
			await start();
		} else if (r.status === 401) {
			fail('login-error', 'Wrong user name or password.');
		} else if (r.status === 429) {
			fail('login-error', 'Too many attempts: try again in ' +
			    (r.headers.get('Retry-After') || 'a few') + ' seconds.');
		} else {
			fail('login-error', 'Could not sign in: ' + errText(r));
		}
	}

	function stopWork() {
		S.streamGen++;
		if (S.stream) { S.stream.abort(); S.stream = null; }
		stopLockPoll();
		Object.keys(S.held).forEach(function (t) { clearInterval(S.held[t]); });
		S.held = {};
		S.order = null;
	}

	function signedOut(msg) {
		stopWork();
		clearTokens();
		show($('who'), false);
		show($('app-view'), false);
		show($('order-view'), false);
		show($('login-view'), true);
		fail('login-error', msg || '');
		$('login-user').focus();
	}

	async function onLogout() {
		var refresh = S.refresh;
		await releaseAll();
		stopWork();
		if (S.access)
			await api('POST', '/auth/logout', { body: refresh ? { refresh_token: refresh } : {} });
		signedOut('');
	}

	async function start() {
		var r = await api('GET', '/auth/check-session');
		if (r.status !== 200 || !r.data) {
			if (r.status !== 401) signedOut('Could not check the session: ' + errText(r));
			return;
		}
		S.user = r.data.user;
		S.role = r.data.role;
		S.dept = r.data.department;
		text($('who-name'), S.user + ' (' + S.role + (S.dept ? ', ' + S.dept : '') + ')');
		show($('login-view'), false);
		show($('who'), true);
		document.body.setAttribute('data-user', S.user);
		loadBoard();
		loadHourly();
		loadOrders(false);
		stream();
		route();
	}

	/* ---- the status board and the hourly chart ---- */

	async function loadBoard() {
		var r = await api('GET', '/reports/status?format=json');
		if (r.status !== 200 || !r.data) {
			fail('board-error', 'Status board: ' + errText(r));
			return;
		}
		fail('board-error', '');
		var rows = Array.isArray(r.data) ? r.data : (r.data.rows || []);
		var statuses = [];
		rows.forEach(function (row) {
			Object.keys(row.statuses || {}).forEach(function (s) {
				if (statuses.indexOf(s) < 0) statuses.push(s);
			});
		});
		var head = $('board').tHead, body = $('board').tBodies[0];
		clear(head);
		clear(body);
		head.appendChild(el('tr', {}, [el('th', { text: 'Department' })].concat(
		    statuses.map(function (s) { return el('th', { text: s }); }),
		    [el('th', { text: 'Total' })])));
		rows.forEach(function (row) {
			var dept = row.totals ? '*' : (row.department == null ? '' : row.department);
			var label = row.totals ? 'Total' : (row.department == null ? '(none)' : row.department);
			var tr = el('tr', { 'data-dept': dept, class: row.totals ? 'totals' : '' },
			    [el('th', { text: label })]);
			statuses.concat(['*']).forEach(function (s) {
				var n = s === '*' ? row.total : (row.statuses || {})[s] || 0;
				var td = el('td', { text: n, 'data-status': s,
				    class: n ? 'n' : 'n zero' });
				if (n && !row.totals && row.department != null) {
					td.classList.add('pick');
					td.title = 'Show these orders';
					td.addEventListener('click', function () {
						$('f-department').value = row.department;
						$('f-status').value = s === '*' ? '' : s;
						loadOrders(false);
					});
				}
				tr.appendChild(td);
			});
			body.appendChild(tr);
		});
		text($('board-at'), new Date().toLocaleTimeString());
	}

	/*
	 * The report's own SVG, as an image: a data: URL (the policy's
	 * img-src allows data:), so the SVG is drawn but never scripted.
	 */
	async function loadHourly() {
		var r = await api('GET', '/reports/hourly?format=svg');
		if (r.status === 200 && r.text.indexOf('<svg') >= 0)
			$('hourly').src = 'data:image/svg+xml;charset=utf-8,' +
			    encodeURIComponent(r.text);
	}

	/* ---- the order list ---- */

	function filterQuery() {
		var q = new URLSearchParams();
		[['status', 'f-status'], ['channel', 'f-channel'],
		    ['department', 'f-department'], ['on_hold', 'f-on-hold']].forEach(function (p) {
			var v = $(p[1]).value.trim();
			if (v) q.set(p[0], v);
		});
		q.set('limit', '50');
		/* Only to mark the orders on hold: side-loaded once, not per row. */
		q.set('include', 'holds');
		return q;
	}

	async function loadOrders(more) {
		var q = filterQuery();
		if (more && S.cursor) q.set('cursor', S.cursor);
		var r = await api('GET', '/orders?' + q.toString());
		if (r.status !== 200 || !r.data) {
			fail('orders-error', 'Orders: ' + errText(r));
			return;
		}
		fail('orders-error', '');
		var body = $('orders').tBodies[0];
		var held = {};
		((r.data.included || {}).holds || []).forEach(function (h) {
			if (h.state !== 'resolved') held[h.order_id] = true;
		});
		if (!more) clear(body);
		(r.data.orders || []).forEach(function (o) {
			var open = function () { location.hash = '#/orders/' + o.id; };
			var tr = el('tr', { 'data-id': o.id, 'data-status': o.status, class: 'row' }, [
				el('td', {}, [el('a', { href: '#/orders/' + o.id, text: o.id })]),
				el('td', { text: o.order_no }),
				el('td', { text: o.channel }),
				el('td', { text: o.department }),
				el('td', {}, [el('span', { text: o.status, class: 'status' }),
				    held[o.id] ? el('span', { text: 'hold', class: 'status held', title: 'on hold' }) : null]),
				el('td', { text: o.customer && o.customer.name }),
				el('td', { text: when(o.placed_at) })
			]);
			tr.addEventListener('click', open);
			body.appendChild(tr);
		});
		S.cursor = r.data.next_cursor || null;
		show($('orders-more'), !!S.cursor);
		show($('orders-empty'), !body.rows.length);
	}

	/* ---- live: the event stream ---- */

	function setLive(on) {
		$('live').classList.toggle('off', !on);
		$('live').title = on ? 'live: following the event stream' : 'not connected to the event stream';
	}

	/*
	 * fetch() with a reader, not EventSource: it can send the bearer
	 * token in the Authorization header (never in the URL, where access
	 * logs would keep it). Reconnects with Last-Event-ID, so nothing
	 * between two connections is lost.
	 */
	async function stream() {
		var gen = ++S.streamGen, backoff = 1000;
		while (gen === S.streamGen && S.access) {
			var ctl = new AbortController();
			S.stream = ctl;
			try {
				var h = { Authorization: 'Bearer ' + S.access, Accept: 'text/event-stream' };
				if (S.lastEventId) h['Last-Event-ID'] = S.lastEventId;
				var r = await fetch('/events/stream', { headers: h, signal: ctl.signal, cache: 'no-store' });
				if (r.status === 401) {
					if (!(await refreshTokens())) { signedOut('Your session has ended: please sign in again.'); return; }
					continue;
				}
				if (r.status !== 200 || !r.body) throw new Error('HTTP ' + r.status);
				setLive(true);
				backoff = 1000;
				var reader = r.body.getReader(), dec = new TextDecoder(), buf = '';
				for (;;) {
					var c = await reader.read();
					if (c.done) break;
					buf += dec.decode(c.value, { stream: true }).replace(/\r\n/g, '\n');
					var i;
					while ((i = buf.indexOf('\n\n')) >= 0) {
						onMessage(buf.slice(0, i));
						buf = buf.slice(i + 2);
					}
				}
			} catch (e) {
				if (ctl.signal.aborted) return;
			}
			setLive(false);
			await delay(backoff);
			backoff = Math.min(backoff * 2, 15000);
		}
	}

	function onMessage(msg) {
		var data = [];
		msg.split('\n').forEach(function (line) {
			if (line.indexOf('id:') === 0) S.lastEventId = line.slice(3).trim();
			else if (line.indexOf('data:') === 0) data.push(line.slice(5).replace(/^ /, ''));
		});
		if (!data.length) return;	/* a keep-alive comment */
		var ev;
		try { ev = JSON.parse(data.join('\n')); } catch (e) { return; }
		changed(ev);
	}

	/* Many events at once (a fetch) make one refresh, not hundreds. */
	var seen = [];
	function changed(ev) {
		seen.push(ev);
		if (S.refreshTimer) return;
		S.refreshTimer = setTimeout(function () {
			var evs = seen;
			seen = [];
			S.refreshTimer = null;
			loadBoard();
			if (evs.some(function (e) { return e.type === 'created'; })) loadHourly();
			if (!$('app-view').hidden) loadOrders(false);
			if (S.order) {
				var mine = evs.filter(function (e) {
					return e.order_id === S.order.id && e.version > S.order.version;
				});
				if (mine.length) staleNotice(mine[mine.length - 1]);
			}
		}, 300);
	}

	/*
	 * Someone changed the open order: say so at once, but leave the page
	 * as the person sees it; what they send next carries the version they
	 * saw, so it is refused (412) rather than applied to a state they
	 * never looked at.
	 */
	function staleNotice(ev) {
		var t = 'Changed by ' + (ev.actor || 'someone') + ' just now (' + ev.type +
		    (ev.to ? ' → ' + ev.to : '') + ', version ' + ev.version + ').';
		text($('o-stale-text'), t);
		show($('o-stale'), true);
	}

	/* ---- one order ---- */

	function route() {
		var m = /^#\/orders\/(\d+)$/.exec(location.hash);
		if (!S.access) return;
		if (m) openOrder(Number(m[1]));
		else closeOrder();
	}

	async function openOrder(id) {
		if (S.order && S.order.id !== id) await releaseAll();
		show($('app-view'), false);
		show($('order-view'), true);
		show($('o-conflict'), false);
		show($('o-stale'), false);
		fail('o-error', '');
		S.pending = null;
		if (await loadOrder(id)) startLockPoll(id);
	}

	async function closeOrder() {
		await releaseAll();
		stopLockPoll();
		S.order = null;
		show($('order-view'), false);
		show($('app-view'), !!S.access);
		if (S.access) { loadBoard(); loadOrders(false); }
	}

	async function loadOrder(id) {
		var r = await api('GET', '/orders/' + id + '?include=remarks,events');
		if (r.status !== 200 || !r.data) {
			S.order = null;
			text($('o-no'), '#' + id);
			fail('o-error', r.status === 404 ? 'No such order.' :
			    r.status === 403 ? 'This order belongs to another department.' : errText(r));
			renderButtons();
			return false;
		}
		var o = r.data, inc = o.included || {};
		delete o.included;
		S.order = o;
		S.etag = r.headers.get('ETag') || '"' + o.id + '-v' + o.version + '"';
		S.remarks = inc.remarks;
		S.events = inc.events;
		if (!S.remarks) {
			var rr = await api('GET', '/orders/' + id + '/remarks');
			S.remarks = rr.status === 200 && rr.data ? rr.data.remarks || [] : [];
		}
		if (!S.events) {
			var er = await api('GET', '/events?order=' + id + '&limit=200');
			S.events = er.status === 200 && er.data ? er.data.events || [] : [];
		}
		S.workflow = await loadWorkflow(o.workflow);
		show($('o-stale'), false);
		renderOrder();
		return true;
	}

	/*
	 * The order's workflow as the server moves orders by it (an
	 * override of a shipped one included), once per page: the buttons
	 * come from it. null when the server can't say (the page then asks
	 * for the state by name, and the server's 409 says what it allows).
	 */
	function loadWorkflow(name) {
		if (!name) return Promise.resolve(null);
		if (!S.workflows[name]) {
			S.workflows[name] = api('GET', '/workflows/' + encodeURIComponent(name)).then(function (r) {
				if (r.status === 200 && r.data && Array.isArray(r.data.transitions))
					return r.data;
				delete S.workflows[name];	/* asked again next time */
				return null;
			});
		}
		return S.workflows[name];
	}

	function renderOrder() {
		var o = S.order;
		text($('o-no'), o.order_no || '#' + o.id);
		text($('o-status'), o.status);
		$('order-view').setAttribute('data-id', o.id);
		$('order-view').setAttribute('data-version', o.version);
		$('o-status').setAttribute('data-status', o.status);

		var f = $('o-fields');
		clear(f);
		var money = o.total_amount == null ? '' : o.total_amount + ' ' + (o.currency || '');
		[['Channel', o.channel + ' / ' + o.external_order_id],
		    ['Kind / workflow', (o.kind || '') + ' / ' + (o.workflow || '')],
		    ['Department', o.department], ['Warehouse', o.warehouse],
		    ['Customer', o.customer && [o.customer.name, o.customer.phone].filter(Boolean).join(' · ')],
		    ['Address', o.shipping && [o.shipping.postal_code, o.shipping.address, o.shipping.zone].filter(Boolean).join(' · ')],
		    ['ETA', when(o.eta)],
		    ['Driver', o.driver && [o.driver.name, o.driver.phone].filter(Boolean).join(' · ')],
		    ['Placed', when(o.placed_at)], ['Departed', when(o.depart_time)],
		    ['Completed', when(o.complete_time)], ['Total', money],
		    ['Shipment', o.shipment && [o.shipment.carrier, o.shipment.tracking_number].filter(Boolean).join(' ')],
		    ['Version', o.version], ['Updated', when(o.updated_at)]
		].forEach(function (p) {
			if (p[1] == null || p[1] === '') return;
			f.appendChild(el('dt', { text: p[0] }));
			f.appendChild(el('dd', { text: p[1] }));
		});

		var items = $('o-items').tBodies[0];
		clear(items);
		(o.items || []).forEach(function (it) {
			items.appendChild(el('tr', {}, [
				el('td', { text: it.sku }), el('td', { text: it.name }),
				el('td', { text: it.quantity, class: 'num' }),
				el('td', { text: it.cancelled_quantity || 0, class: 'num' }),
				el('td', { text: it.unit_price, class: 'num' })]));
		});

		var holds = $('o-holds');
		clear(holds);
		(o.holds || []).forEach(function (h) {
			var li = el('li', { 'data-hold': h.id, class: 'hold ' + h.state }, [
				el('strong', { text: h.reason }), el('span', { text: ' ' + h.state + ' ' }),
				el('span', { class: 'muted', text: (h.note || '') + ' — ' + (h.placed_by || '') + ', ' + when(h.placed_at) })]);
			if (h.state === 'open')
				li.appendChild(holdButton(h, 'ack', 'Acknowledge'));
			if (h.state !== 'resolved')
				li.appendChild(holdButton(h, 'resolve', 'Resolve'));
			holds.appendChild(li);
		});
		if (!holds.firstChild) holds.appendChild(el('li', { class: 'muted', text: 'No holds.' }));

		var rem = $('o-remarks');
		clear(rem);
		(S.remarks || []).forEach(function (m) {
			rem.appendChild(el('li', {}, [el('span', { class: 'remark', text: m.text }),
			    el('span', { class: 'muted', text: ' — ' + (m.author || '') + ', ' + when(m.updated_at || m.created_at) })]));
		});
		if (!rem.firstChild) rem.appendChild(el('li', { class: 'muted', text: 'No remarks.' }));

		var evs = $('o-events');
		clear(evs);
		(S.events || []).slice().sort(function (a, b) { return b.id - a.id; }).forEach(function (e) {
			evs.appendChild(el('li', { text: when(e.at) + ' ' + e.type +
			    (e.from || e.to ? ' ' + (e.from || '') + ' → ' + (e.to || '') : '') +
			    ' by ' + (e.actor || '?') + ' (v' + e.version + ')' }));
		});
		/* A driver is assigned only in the states the workflow says. */
		var w = S.workflow && S.workflow.name === o.workflow ? S.workflow : null;
		show($('o-assign-open'), !formOpen('ASSIGN') &&
		    (!w || (w.assignable || []).indexOf(o.status) >= 0));
		renderButtons();
	}

	function formOpen(type) { return !$(FORMS[type].form).hidden; }

	function holdButton(h, what, label) {
		var b = el('button', { type: 'button', class: 'change small', text: label,
		    'data-hold-action': what });
		b.addEventListener('click', function () {
			send(label + ' hold', 'POST', '/orders/' + S.order.id + '/holds/' + h.id + '/' + what, {});
		});
		return b;
	}

	/* The steps the order's workflow allows from its state to the
	 * person's role, or null when the workflow is not known. */
	function transitions(o) {
		var w = S.workflow;
		if (!w || w.name !== o.workflow) return null;
		return w.transitions.filter(function (t) {
			return t.from === o.status && (t.roles || []).indexOf(S.role) >= 0;
		});
	}

	/* A step is sent as its action, or as a move to its state when it
	 * has no action name. */
	function step(o, t) {
		if (t.action)
			send(t.action, 'POST', '/orders/' + o.id + '/actions/' + encodeURIComponent(t.action), {});
		else
			send('move to ' + t.to, 'POST', '/orders/' + o.id + '/status', { to: t.to });
	}

	function renderButtons() {
		var box = $('o-actions');
		clear(box);
		var o = S.order;
		if (!o) { applyLocks(); return; }
		var t = transitions(o);
		if (t) {
			t.forEach(function (x) {
				var attrs = { type: 'button', class: 'change action',
				    'data-to': x.to, 'data-kind': 'STATUS',
				    text: (x.action ? x.action + ' ' : '') + '→ ' + x.to };
				if (x.action) attrs['data-action'] = x.action;
				var b = el('button', attrs);
				b.addEventListener('click', function () { step(o, x); });
				box.appendChild(b);
			});
			if (!t.length) box.appendChild(el('span', { class: 'muted', text: 'No further steps in ' + o.workflow + ' for you.' }));
		} else {
			var inp = el('input', { id: 'o-to', placeholder: 'new status' });
			var b = el('button', { type: 'button', class: 'change', 'data-kind': 'STATUS', text: 'Move' });
			b.addEventListener('click', function () {
				if (inp.value.trim())
					send('move to ' + inp.value.trim(), 'POST', '/orders/' + o.id + '/status', { to: inp.value.trim() });
			});
			box.appendChild(inp);
			box.appendChild(b);
		}
		applyLocks();
	}

	/*
	 * Sends one change of the open order with If-Match: the version the
	 * person is looking at. 412: someone else changed it first; the new
	 * state is shown and Retry sends the same change against it.
	 */
	async function send(label, method, path, body) {
		if (!S.order) return null;
		var id = S.order.id;
		fail('o-error', '');
		show($('o-conflict'), false);
		setBusy(true);
		var r = await api(method, path, { body: body, headers: { 'If-Match': S.etag } });
		setBusy(false);
		if (r.status >= 200 && r.status < 300) {
			S.pending = null;
			await loadOrder(id);
			return r;
		}
		if (r.status === 412 || (r.status === 409 && r.data && r.data.error &&
		    r.data.error.code === 'version_conflict')) {
			S.pending = { label: label, method: method, path: path, body: body };
			await loadOrder(id);
			var o = S.order || {};
			var act = /\/actions\/([^/]+)$/.exec(path), t = S.order && transitions(o);
			/* Retry only what the new state still allows. */
			var still = !act || !t || t.some(function (x) { return x.action === decodeURIComponent(act[1]); });
			text($('o-conflict-text'), 'Someone else changed this order while you had it open: it is now ' +
			    (o.status || '?') + ', version ' + (o.version || '?') + ', shown below. Your “' + label +
			    '” was not applied. ' + (still ? 'Check the order, then retry or leave it.' :
			    '“' + label + '” is not possible from ' + o.status + ' any more.'));
			show($('o-retry'), still);
			if (!still) S.pending = null;
			show($('o-conflict'), true);
			return r;
		}
		if (r.status === 423 && r.data && r.data.error)
			fail('o-error', 'Locked: ' + (r.data.error.owner || 'someone') + ' holds the ' +
			    (r.data.error.lock_type || '') + ' lock of this order.');
		else if (r.status !== 401)
			fail('o-error', '“' + label + '” refused: ' + errText(r));
		return r;
	}

	async function retry() {
		var p = S.pending;
		if (!p) return;
		show($('o-conflict'), false);
		await send(p.label, p.method, p.path, p.body);
	}

	var busy = false;
	function setBusy(on) { busy = on; applyLocks(); }

	/* ---- locks: ours (forms) and others' (banner, disabled buttons) ---- */

	function startLockPoll(id) {
		stopLockPoll();
		var tick = async function () {
			if (!S.order || S.order.id !== id) return;
			await pollLocks(id);
			if (S.order && S.order.id === id)
				S.lockPoll = setTimeout(tick, LOCK_POLL_MS);
		};
		tick();
	}

	function stopLockPoll() {
		if (S.lockPoll) clearTimeout(S.lockPoll);
		S.lockPoll = null;
		S.others = [];
	}

	async function pollLocks(id) {
		var r = await api('GET', '/orders/' + id + '/locks');
		if (r.status !== 200 || !r.data || !S.order || S.order.id !== id) return;
		S.others = (r.data.locks || []).filter(function (l) { return l.owner !== S.user; });
		applyLocks();
	}

	/*
	 * Another person's EDIT lock blocks every change (SPEC 5); their
	 * STATUS, ASSIGN or REMARK lock blocks changes of that kind.
	 */
	function applyLocks() {
		var types = S.others.map(function (l) { return l.type; });
		var edit = S.others.filter(function (l) { return l.type === 'EDIT'; })[0];
		var msg = '';
		if (edit)
			msg = 'Being edited by ' + edit.owner + ' (until ' + when(edit.expires_at) + '): changes are disabled.';
		else if (S.others.length)
			msg = S.others.map(function (l) {
				return l.owner + ' holds the ' + l.type + ' lock (until ' + when(l.expires_at) + ')';
			}).join('; ') + '.';
		text($('o-lock'), msg);
		show($('o-lock'), !!msg);
		document.querySelectorAll('#order-view .change').forEach(function (b) {
			var kind = b.getAttribute('data-kind');
			b.disabled = busy || !S.order || !!edit || (kind && types.indexOf(kind) >= 0);
		});
	}

	var FORMS = {
		EDIT: { open: 'o-edit-open', form: 'o-edit', fill: fillEdit },
		ASSIGN: { open: 'o-assign-open', form: 'o-assign', fill: fillAssign },
		REMARK: { open: 'o-remark-open', form: 'o-remark', fill: function () { $('r-text').value = ''; } }
	};

	function fillEdit() {
		var o = S.order;
		$('e-eta').value = o.eta || '';
		$('e-department').value = o.department || '';
		$('e-warehouse').value = o.warehouse || '';
	}

	function fillAssign() {
		var d = S.order.driver || {};
		$('a-name').value = d.name || '';
		$('a-phone').value = d.phone || '';
	}

	/* Opening a form takes its lock; 423 names who holds it. */
	async function openForm(type) {
		if (!S.order) return;
		var id = S.order.id, f = FORMS[type];
		fail('o-error', '');
		var r = await api('POST', '/orders/' + id + '/locks', { body: { type: type } });
		if (r.status === 200 || r.status === 201) {
			if (S.held[type]) clearInterval(S.held[type]);
			S.held[type] = setInterval(function () { renew(id, type); }, renewEvery(r));
			f.fill();
			show($(f.form), true);
			show($(f.open), false);
			$(f.form).querySelector('input, textarea').focus();
		} else if (r.status === 423) {
			var e = r.data && r.data.error || {};
			fail('o-error', 'Being edited by ' + (e.owner || 'someone') + ' (' + (e.lock_type || type) + ' lock).');
			pollLocks(id);
		} else if (r.status !== 401) {
			fail('o-error', 'Could not take the ' + type + ' lock: ' + errText(r));
		}
	}

	/*
	 * A lock lives as long as the server's configuration says (lock_ttl):
	 * renewed a third of the way, so one late renewal still finds it.
	 * Its life is counted from the answer's Date, the server's clock,
	 * not this machine's.
	 */
	function renewEvery(r) {
		var exp = Date.parse(r.data && r.data.expires_at);
		var now = Date.parse(r.headers.get('Date') || '');
		if (isNaN(now)) now = Date.now();
		/* Date is whole seconds: the lock may have up to one less. */
		var ttl = exp - now - 1000;
		if (isNaN(ttl)) ttl = 60000;
		return Math.max(1000, Math.floor(ttl / 3));
	}

	async function renew(id, type) {
		var r = await api('PUT', '/orders/' + id + '/locks/' + type, { body: {} });
		if (r.status >= 200 && r.status < 300) return;
		if (S.held[type]) clearInterval(S.held[type]);
		delete S.held[type];
		hideForm(type);
		fail('o-error', 'Your ' + type + ' lock was lost (' + errText(r) + '): the form was closed.');
	}

	function hideForm(type) {
		var f = FORMS[type];
		show($(f.form), false);
		show($(f.open), true);
	}

	async function closeForm(type, keepalive) {
		hideForm(type);
		if (!(type in S.held)) return;
		clearInterval(S.held[type]);
		delete S.held[type];
		if (S.order)
			await api('DELETE', '/orders/' + S.order.id + '/locks/' + type, { keepalive: keepalive });
	}

	function releaseAll(keepalive) {
		return Promise.all(Object.keys(S.held).map(function (t) { return closeForm(t, keepalive); }));
	}

	async function saveEdit(ev) {
		ev.preventDefault();
		var o = S.order, body = {};
		[['eta', 'e-eta'], ['department', 'e-department'], ['warehouse', 'e-warehouse']].forEach(function (p) {
			var v = $(p[1]).value.trim();
			if (v !== (o[p[0]] || '')) body[p[0]] = v;
		});
		if (!Object.keys(body).length) { await closeForm('EDIT'); return; }
		var r = await send('edit', 'PATCH', '/orders/' + o.id, body);
		if (r && r.status === 200) await closeForm('EDIT');
	}

	/* Assign is a many-order route: the version rides in the body. */
	async function saveAssign(ev) {
		ev.preventDefault();
		var o = S.order, drv = { name: $('a-name').value.trim() };
		if ($('a-phone').value.trim()) drv.phone = $('a-phone').value.trim();
		var r = await send('assign', 'POST', '/orders/assign',
		    { orders: [{ id: o.id, version: o.version }], driver: drv });
		if (r && r.status === 200) await closeForm('ASSIGN');
	}

	async function saveRemark(ev) {
		ev.preventDefault();
		var r = await send('remark', 'POST', '/orders/' + S.order.id + '/remarks',
		    { text: $('r-text').value });
		if (r && r.status >= 200 && r.status < 300) await closeForm('REMARK');
	}

	async function placeHold(ev) {
		ev.preventDefault();
		var body = { reason: $('h-reason').value };
		if ($('h-note').value.trim()) body.note = $('h-note').value.trim();
		var r = await send('place hold', 'POST', '/orders/' + S.order.id + '/holds', body);
		if (r && r.status >= 200 && r.status < 300) $('h-note').value = '';
	}

	/* ---- wiring ---- */

	function init() {
		/* The stale notice is built here, not in the HTML, to keep the
		 * page's markup what a person reads first. */
		var stale = el('p', { id: 'o-stale', class: 'banner warn', role: 'status' }, [
			el('span', { id: 'o-stale-text' }), document.createTextNode(' '),
			el('button', { type: 'button', id: 'o-reload', text: 'Show it' })]);
		stale.hidden = true;
		$('o-conflict').parentNode.insertBefore(stale, $('o-conflict'));
		$('o-reload').addEventListener('click', function () {
			if (S.order) loadOrder(S.order.id);
		});

		$('login-form').addEventListener('submit', onLogin);
		$('logout').addEventListener('click', onLogout);
		$('filters').addEventListener('submit', function (e) { e.preventDefault(); loadOrders(false); });
		$('orders-more').addEventListener('click', function () { loadOrders(true); });
		$('o-close').addEventListener('click', function () { location.hash = '#/'; });
		$('o-retry').addEventListener('click', retry);
		$('o-dismiss').addEventListener('click', function () { S.pending = null; show($('o-conflict'), false); });
		Object.keys(FORMS).forEach(function (type) {
			var f = FORMS[type];
			$(f.open).setAttribute('data-kind', type);
			$(f.open).addEventListener('click', function () { openForm(type); });
		});
		$('e-cancel').addEventListener('click', function () { closeForm('EDIT'); });
		$('a-cancel').addEventListener('click', function () { closeForm('ASSIGN'); });
		$('r-cancel').addEventListener('click', function () { closeForm('REMARK'); });
		$('o-edit').addEventListener('submit', saveEdit);
		$('o-assign').addEventListener('submit', saveAssign);
		$('o-remark').addEventListener('submit', saveRemark);
		$('o-hold-form').addEventListener('submit', placeHold);
		window.addEventListener('hashchange', route);
		/* Closing the tab lets go of the locks at once (keepalive: the
		 * request outlives the page) rather than at their expiry. */
		window.addEventListener('pagehide', function () { releaseAll(true); });

		loadTokens();
		if (S.access) start();
		else signedOut('');
	}

	if (document.readyState === 'loading')
		document.addEventListener('DOMContentLoaded', init);
	else
		init();
})();
