#!/usr/bin/env python3
# cdp.py DIR COMMAND [ARG...]: drives a headless Chromium over its
# DevTools protocol, for the dashboard's tests (t/6009). The browser
# outlives each call (its process, profile and page's websocket address
# are kept in DIR), so a test can act in the page, change the store from
# the shell, and come back to the same page. Standard library only: the
# websocket client is the few lines of RFC 6455 a client needs.
#
#   start [WIDTH HEIGHT]   start Chromium (about:blank); DIR is created
#   stop                   stop it (its whole process group) and wait
#   goto URL               load URL and wait for the load event
#   eval JS                print JS's value (promises awaited) as JSON
#   wait JS [SECONDS]      poll JS until it is truthy (default 30 s);
#                          exit 1 saying what it last was if it never is
#   click SELECTOR         wait for SELECTOR to be shown, enabled, in the
#                          same place for two frames and not covered,
#                          then click its middle with the mouse
#   type SELECTOR TEXT     wait for SELECTOR, focus it, replace its text
#   text SELECTOR          print the element's innerText
#   shot FILE [W H]        a PNG of the page's viewport, W x H pixels
#                          (375 812: a phone); the page is laid out
#                          again at that size for the shot, then back
#   size W H JS            print JS's value with the page laid out at W x H
#                          (once the page has taken that size)
#   console                print what the page logged (errors, CSP
#                          violations) since it was loaded by goto
#
# Exit: 0 done, 1 the condition failed or the page threw, 2 usage, 3 no
# browser.
import base64
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.request

CHROMIUM = os.environ.get("UOMS_CHROMIUM", "chromium")


class WS:
	"""A websocket client: text frames out (masked), frames in."""

	def __init__(self, url):
		assert url.startswith("ws://")
		hostport, _, path = url[5:].partition("/")
		host, _, port = hostport.partition(":")
		self.sock = socket.create_connection((host, int(port or 80)), timeout=30)
		key = base64.b64encode(os.urandom(16)).decode()
		req = ("GET /%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
		       "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
		       "Sec-WebSocket-Version: 13\r\n\r\n" % (path, hostport, key))
		self.sock.sendall(req.encode())
		head = b""
		while b"\r\n\r\n" not in head:
			chunk = self.sock.recv(1)
			if not chunk:
				raise OSError("websocket: connection closed during the handshake")
			head += chunk
		if b" 101 " not in head.split(b"\r\n", 1)[0]:
			raise OSError("websocket: " + head.split(b"\r\n", 1)[0].decode())

	def _read(self, n):
		b = b""
		while len(b) < n:
			chunk = self.sock.recv(n - len(b))
			if not chunk:
				raise OSError("websocket: connection closed")
			b += chunk
		return b

	def send(self, text):
		data = text.encode()
		n = len(data)
		if n < 126:
			head = struct.pack("!BB", 0x81, 0x80 | n)
		elif n < 65536:
			head = struct.pack("!BBH", 0x81, 0x80 | 126, n)
		else:
			head = struct.pack("!BBQ", 0x81, 0x80 | 127, n)
		mask = os.urandom(4)
		body = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
		self.sock.sendall(head + mask + body)

	def recv(self):
		msg = b""
		while True:
			b0, b1 = self._read(2)
			n = b1 & 0x7F
			if n == 126:
				n = struct.unpack("!H", self._read(2))[0]
			elif n == 127:
				n = struct.unpack("!Q", self._read(8))[0]
			mask = self._read(4) if b1 & 0x80 else None
			data = self._read(n)
			if mask:
				data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
			op = b0 & 0x0F
			if op == 0x9:		# ping
				self.sock.sendall(struct.pack("!BB", 0x8A, 0x80 | len(data)) + b"\0\0\0\0" + data)
				continue
			if op == 0x8:
				raise OSError("websocket: closed by the browser")
			msg += data
			if b0 & 0x80:
				return msg.decode()

	def close(self):
		try:
			self.sock.sendall(struct.pack("!BB", 0x88, 0x80) + b"\0\0\0\0")
		except OSError:
			pass
		self.sock.close()


class Page:
	"""One DevTools session on the page target."""

	def __init__(self, d):
		with open(os.path.join(d, "ws")) as f:
			self.ws = WS(f.read().strip())
		self.n = 0
		self.events = []

	def call(self, method, **params):
		# wait_event leaves its own short timeout on the socket; an
		# answer on a loaded machine may take longer than that.
		self.ws.sock.settimeout(60)
		self.n += 1
		n = self.n
		self.ws.send(json.dumps({"id": n, "method": method, "params": params}))
		while True:
			m = json.loads(self.ws.recv())
			if m.get("id") == n:
				if "error" in m:
					raise RuntimeError("%s: %s" % (method, m["error"].get("message")))
				return m.get("result", {})
			self.events.append(m)

	def wait_event(self, name, timeout):
		end = time.time() + timeout
		while time.time() < end:
			for m in self.events:
				if m.get("method") == name:
					return m
			self.ws.sock.settimeout(max(0.1, end - time.time()))
			try:
				self.events.append(json.loads(self.ws.recv()))
			except socket.timeout:
				break
		return None

	def eval(self, js):
		r = self.call("Runtime.evaluate", expression=js, awaitPromise=True,
		              returnByValue=True)
		if "exceptionDetails" in r:
			d = r["exceptionDetails"]
			raise RuntimeError("page threw: " + (d.get("exception", {}).get("description") or d.get("text", "")))
		return r.get("result", {}).get("value")


def die(msg, code=1):
	print("cdp.py: " + msg, file=sys.stderr)
	sys.exit(code)


# Installed by goto before the page loads, so it runs ahead of the page's
# own script: whatever the page logs as an error, and every Content-
# Security-Policy violation (an inline script or style that slipped in).
RECORDER = """
window.__cdp = {log: []};
document.addEventListener('securitypolicyviolation', function (e) {
	window.__cdp.log.push('CSP violation: ' + e.violatedDirective + ' ' + (e.blockedURI || 'inline'));
});
window.addEventListener('error', function (e) { window.__cdp.log.push('error: ' + e.message); });
window.addEventListener('unhandledrejection', function (e) { window.__cdp.log.push('unhandled rejection: ' + e.reason); });
"""


def start(d, width, height):
	os.makedirs(d, exist_ok=True)
	prof = os.path.join(d, "profile")
	port_file = os.path.join(prof, "DevToolsActivePort")
	if os.path.exists(port_file):
		os.unlink(port_file)
	args = [CHROMIUM, "--headless=new", "--remote-debugging-port=0",
	        "--user-data-dir=" + prof, "--no-first-run", "--no-default-browser-check",
	        "--disable-gpu", "--disable-dev-shm-usage", "--disable-extensions",
	        "--disable-background-networking", "--disable-sync", "--mute-audio",
	        "--disable-component-update", "--password-store=basic",
	        "--window-size=%d,%d" % (width, height), "about:blank"]
	# Root has no user namespace sandbox to spare in a container.
	if os.geteuid() == 0:
		args.insert(1, "--no-sandbox")
	log = open(os.path.join(d, "chromium.log"), "w")
	try:
		p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
		                     start_new_session=True)
	except OSError as e:
		die("can't run %s: %s" % (CHROMIUM, e), 3)
	with open(os.path.join(d, "pid"), "w") as f:
		f.write(str(p.pid))
	# The browser writes its port once it listens: wait for that (a
	# bounded poll on the file, not a guess at how long it takes).
	end = time.time() + 30
	port = None
	while time.time() < end and p.poll() is None:
		try:
			with open(port_file) as f:
				port = int(f.readline())
			break
		except (OSError, ValueError):
			time.sleep(0.05)
	if port is None:
		stop(d)
		die("chromium did not start (see %s)" % os.path.join(d, "chromium.log"), 3)
	ws = None
	while time.time() < end and ws is None:
		with urllib.request.urlopen("http://127.0.0.1:%d/json/list" % port, timeout=10) as r:
			for t in json.load(r):
				if t.get("type") == "page":
					ws = t["webSocketDebuggerUrl"]
					break
		if ws is None:
			time.sleep(0.05)
	if ws is None:
		stop(d)
		die("chromium has no page", 3)
	with open(os.path.join(d, "ws"), "w") as f:
		f.write(ws + "\n")


def stop(d):
	try:
		with open(os.path.join(d, "pid")) as f:
			pid = int(f.read())
	except (OSError, ValueError):
		return
	try:
		os.killpg(pid, signal.SIGTERM)
	except ProcessLookupError:
		pass
	end = time.time() + 10
	while time.time() < end:
		try:
			if os.waitpid(pid, os.WNOHANG)[0]:
				break
		except ChildProcessError:
			# Not our child (another cdp.py call started it): poll for it.
			try:
				os.kill(pid, 0)
			except ProcessLookupError:
				break
		time.sleep(0.05)
	else:
		try:
			os.killpg(pid, signal.SIGKILL)
		except ProcessLookupError:
			pass
	os.unlink(os.path.join(d, "pid"))


# Two animation frames: whatever a change queued has been laid out.
FRAMES = "new Promise(function(r){requestAnimationFrame(function(){requestAnimationFrame(function(){r(true)})})})"


def size(page, width, height):
	page.call("Emulation.setDeviceMetricsOverride", width=width, height=height,
	          deviceScaleFactor=1, mobile=width < 600)
	# The override is applied to the page asynchronously: on a loaded
	# machine the first frames may still be laid out at the old size.
	if not poll(page, "window.innerWidth === %d && %s" % (width, FRAMES), 30):
		die("size %dx%d: the page is still %s wide" % (width, height, page.eval("window.innerWidth")))


def poll(page, js, seconds):
	end = time.time() + seconds
	last = None
	while True:
		try:
			last = page.eval(js)
		except RuntimeError as e:
			last = str(e)
		else:
			if last:
				return last
		if time.time() >= end:
			return None if not last or isinstance(last, str) and last.startswith("page threw") else last
		time.sleep(0.1)


def element_js(sel, what):
	return "(function(){var e=document.querySelector(%s);%s})()" % (json.dumps(sel), what)


def shown_enabled(page, sel, seconds=30):
	js = element_js(sel, "if(!e)return 'no element';var r=e.getBoundingClientRect();"
	                "if(!r.width||!r.height||e.closest('[hidden]'))return 'hidden';"
	                "if(e.disabled)return 'disabled';return 'ok';")
	end = time.time() + seconds
	while True:
		state = page.eval(js)
		if state == "ok":
			return
		if time.time() >= end:
			die("%s: %s after %ds" % (sel, state, seconds))
		time.sleep(0.1)


# Where a click on sel lands: its middle once it is shown and enabled,
# has not moved for two frames (a live update may still be moving it),
# and is what the point hits (not covered by another element).
def steady_middle(page, sel, seconds=30):
	js = element_js(sel, "e.scrollIntoView({block:'center'});var a=e.getBoundingClientRect();"
	                "return " + FRAMES + ".then(function(){var b=e.getBoundingClientRect();"
	                "if(a.x!==b.x||a.y!==b.y||a.width!==b.width||a.height!==b.height)return 'moving';"
	                "var x=b.x+b.width/2,y=b.y+b.height/2,h=document.elementFromPoint(x,y);"
	                "if(!h||!(h===e||e.contains(h)))return 'covered by '+(h?h.tagName+(h.id?'#'+h.id:''):'nothing');"
	                "return [x,y];});")
	end = time.time() + seconds
	while True:
		shown_enabled(page, sel, max(1, end - time.time()))
		state = page.eval(js)
		if isinstance(state, list):
			return state
		if time.time() >= end:
			die("%s: %s after %ds" % (sel, state, seconds))
		time.sleep(0.1)


def main(argv):
	if len(argv) < 3:
		die("usage: cdp.py DIR start|stop|goto|eval|wait|click|type|text|shot|size|console [ARG...]", 2)
	d, cmd, args = argv[1], argv[2], argv[3:]
	if cmd == "start":
		w, h = (int(args[0]), int(args[1])) if len(args) == 2 else (1280, 900)
		start(d, w, h)
		return 0
	if cmd == "stop":
		stop(d)
		return 0
	page = Page(d)
	try:
		if cmd == "goto":
			page.call("Page.enable")
			page.call("Page.addScriptToEvaluateOnNewDocument", source=RECORDER)
			# By way of about:blank: a URL that differs from the page's
			# only by its #fragment would not load the page again.
			page.call("Page.navigate", url="about:blank")
			if not page.wait_event("Page.loadEventFired", 30):
				die("goto about:blank: no load event in 30 s")
			page.events.clear()
			page.call("Page.navigate", url=args[0])
			if not page.wait_event("Page.loadEventFired", 30):
				die("goto %s: no load event in 30 s" % args[0])
		elif cmd == "eval":
			print(json.dumps(page.eval(args[0]), ensure_ascii=False))
		elif cmd == "wait":
			secs = float(args[1]) if len(args) > 1 else 30
			v = poll(page, "!!(%s)" % args[0], secs)
			if not v:
				last = page.eval("(function(){try{return (%s)}catch(e){return 'threw: '+e}})()" % args[0])
				die("wait: %s: still %s after %gs" % (args[0], json.dumps(last, ensure_ascii=False), secs))
		elif cmd == "click":
			x, y = steady_middle(page, args[0])
			for t in ("mouseMoved", "mousePressed", "mouseReleased"):
				page.call("Input.dispatchMouseEvent", type=t, x=x, y=y, button="left",
				          clickCount=0 if t == "mouseMoved" else 1)
		elif cmd == "type":
			shown_enabled(page, args[0])
			page.eval(element_js(args[0], "e.focus();e.select&&e.select();"))
			page.eval(element_js(args[0], "e.value='';"))
			page.call("Input.insertText", text=args[1])
		elif cmd == "text":
			print(page.eval(element_js(args[0], "return e?e.innerText:null;")))
		elif cmd == "shot":
			# A size set over DevTools lasts as long as the session: this one.
			if len(args) == 3:
				size(page, int(args[1]), int(args[2]))
			r = page.call("Page.captureScreenshot", format="png")
			with open(args[0], "wb") as f:
				f.write(base64.b64decode(r["data"]))
		elif cmd == "size":
			size(page, int(args[0]), int(args[1]))
			print(json.dumps(page.eval(args[2]), ensure_ascii=False))
		elif cmd == "console":
			for line in page.eval("window.__cdp ? window.__cdp.log : []") or []:
				print(line)
		else:
			die("unknown command " + cmd, 2)
	except RuntimeError as e:
		die(str(e))
	finally:
		page.ws.close()
	return 0


if __name__ == "__main__":
	sys.exit(main(sys.argv))
