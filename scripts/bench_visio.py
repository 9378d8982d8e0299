#!/usr/bin/env python3
"""The visio benchmark: the room's engine (GStreamer webrtcbin in the daemon) calling the
specialist's page in headless Chromium, against a Chromium ↔ Chromium call in the same run
(two headless Chromiums, same fake camera at 30 fps, same size, VP8 + Opus), on loopback.
Every end is given the same pictures: a 2-second clip recorded once per size (GStreamer's
moving ball), looped — the room reads it as raw frames, each Chromium as its fake camera's
file. (`--source test` compares as before: the room's videotestsrc, which alone costs ~17 % of a
core at 720p where a camera costs next to nothing, against Chromium's own fake camera.)

Prints, per resolution: call setup (admission → first remote picture on both sides, once
the room has prepared its media while the specialist waits; the baseline: offer → first
picture on both sides, each Chromium's camera running already), and the CPU the whole call uses (every
process of both ends, as a share of one core) over a steady window, with ratios.

Usage: scripts/bench_visio.py [--runs N] [--seconds S] [--resolutions 640x480,1280x720] [--source recording|test]
Needs a release build (swift build -c release --product guichet) and scripts/setup.sh --tests.
"""
import argparse
import atexit
import contextlib
import http.server
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("GUICHET_BINARY", str(ROOT / ".build/release/guichet"))
sys.path.insert(0, str(ROOT / "Tests/Integration"))

from selenium.webdriver.common.by import By  # noqa: E402

from browser import chromium  # noqa: E402
from conftest import Daemon  # noqa: E402
from test_visio import FAKE_DEVICES, VISIO_ARGS, book_visio, instant, link_token, page_frames, restart_at, room  # noqa: E402
from waiting import wait_for  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
# Run in the specialist's page: the same "keep the resolution" as the baseline's pages.
KEEP_SIZE = """for (const s of window.visioPeer.getSenders()) if (s.track && s.track.kind === 'video') {
  const p = s.getParameters(); p.degradationPreference = 'maintain-resolution'; s.setParameters(p); }"""
# Chromium's fake camera gives 20 fps unless told: both calls at 30, as the room sends.
CAMERA = tuple(f if not f.startswith("--use-fake-device") else f + "=fps=30" for f in FAKE_DEVICES)
# Set by main(): what every end's camera shows (the Chromium flags, the daemon's options).
SOURCE = {"chromium": CAMERA, "daemon": ()}


def record_clip(resolution, folder):
    """Two seconds of GStreamer's moving ball at this size, 30 fps: raw I420 frames for the
    room, the same frames in YUV4MPEG2 for Chromium's fake camera."""
    width, height = resolution.split("x")
    raw, y4m = Path(folder, f"clip-{resolution}.yuv"), Path(folder, f"clip-{resolution}.y4m")
    subprocess.run(["gst-launch-1.0", "-q", "videotestsrc", "num-buffers=60", "pattern=ball", "!",
                    f"video/x-raw,format=I420,width={width},height={height},framerate=30/1", "!", "tee", "name=t",
                    "!", "queue", "!", "y4menc", "!", "filesink", f"location={y4m}",
                    "t.", "!", "queue", "!", "filesink", f"location={raw}"], check=True)
    return raw, y4m


def use_source(source, resolution, folder):
    if source == "test":
        SOURCE.update(chromium=CAMERA, daemon=())
        return "the room's videotestsrc ball; Chromium's own fake camera"
    raw, y4m = record_clip(resolution, folder)
    SOURCE.update(chromium=CAMERA + (f"--use-file-for-fake-video-capture={y4m}",), daemon=("--visio-test-video", str(raw)))
    return "the same recorded clip at every end"

BASELINE_PAGE = """<!doctype html><html><body>
<video id="remote" autoplay muted playsinline></video>
<script src="visio-stamp.js"></script>
<script>
// Chromium lowers its resolution when its encoder or the bandwidth estimate is short; the
// benchmark compares calls at the same size, so it asks every side to keep it.
const keepSize = async (pc) => {
  for (const sender of pc.getSenders()) if (sender.track && sender.track.kind === 'video') {
    const parameters = sender.getParameters();
    parameters.degradationPreference = 'maintain-resolution';
    await sender.setParameters(parameters);
  }
};
window.keepSize = keepSize;
// One side of a Chromium ↔ Chromium call; the benchmark carries the descriptions between the
// two browsers (ICE gathered first, so no trickle is needed).
let pc, camera;
const gathered = () => new Promise((done) => {
  if (pc.iceGatheringState === 'complete') return done();
  pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && done();
});
window.prepare = async (width, height, stamps) => {
  camera = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width, height } });
  if (stamps) camera = window.visioStamp.wrap(camera, width, height);
  pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
  camera.getTracks().forEach((t) => pc.addTrack(t, camera));
  window.keepSize = () => keepSize(pc);
  const vp8 = RTCRtpReceiver.getCapabilities('video').codecs.filter((c) => c.mimeType === 'video/VP8');
  pc.getTransceivers().forEach((t) => { if (t.receiver.track.kind === 'video') t.setCodecPreferences(vp8); });
  pc.ontrack = (e) => {
    const v = document.getElementById('remote');
    v.srcObject = e.streams[0];
    v.requestVideoFrameCallback(() => { window.firstFrameAt = performance.timeOrigin + performance.now(); });
    if (stamps) window.visioStamp.read(v);
  };
};
window.offer = async () => { await keepSize(pc); await pc.setLocalDescription(await pc.createOffer()); await gathered(); return pc.localDescription.sdp; };
window.answer = async (sdp) => {
  await pc.setRemoteDescription({ type: 'offer', sdp });
  await pc.setLocalDescription(await pc.createAnswer()); await keepSize(pc); await gathered(); return pc.localDescription.sdp;
};
window.accept = async (sdp) => { await pc.setRemoteDescription({ type: 'answer', sdp }); };
window.stopCall = () => { pc.close(); camera.getTracks().forEach((t) => t.stop()); };
window.frames = () => document.getElementById('remote').getVideoPlaybackQuality().totalVideoFrames;
window.size = () => { const v = document.getElementById('remote'); return v.videoWidth + 'x' + v.videoHeight; };
</script></body></html>"""


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICK
        except (FileNotFoundError, ProcessLookupError, IndexError):
            pass
    return total


def cpu_share(seconds, *ends):
    """Share of one core used by each end over `seconds`: an end is a function giving its
    processes' ids (asked again at the end, for processes started meanwhile)."""
    pids = [set(end()) for end in ends]
    before, started = [cpu_seconds(p) for p in pids], time.time()
    time.sleep(seconds)
    pids = [p | set(end()) for p, end in zip(pids, ends)]
    return [(cpu_seconds(p) - b) / (time.time() - started) for p, b in zip(pids, before)]


@contextlib.contextmanager
def room_and_page(resolution, *extra):
    """A daemon whose clock stands two minutes before a visio appointment, and a headless
    Chromium with a fake camera for the specialist."""
    with tempfile.TemporaryDirectory(prefix="guichet-bench-visio-") as data:
        d = Daemon(data)
        d.args = VISIO_ARGS + ["--visio-resolution", resolution, *SOURCE["daemon"], *extra]
        d.start()
        booking = book_visio(d)
        token = link_token(d, booking)
        restart_at(d, instant(booking["start"]) - 120)
        driver = chromium(*SOURCE["chromium"])
        try:
            yield d, booking, token, driver
        finally:
            driver.quit()
            d.stop()
            if os.environ.get("BENCH_KEEP"):  # every daemon's whole log, appended to that file
                with open(os.environ["BENCH_KEEP"], "a") as kept:
                    kept.write(d.log())
            if os.environ.get("BENCH_TRACE"):
                print("\n".join(line for line in d.log().splitlines() if "guichet media: +" in line or "visio" in line), file=sys.stderr)


def wait_in_waiting_room(d, driver, token):
    driver.get(d.url(f"/visio/{token}"))
    wait_for(lambda: driver.execute_script("return !document.getElementById('rejoindre').disabled"), 20, what="devices")
    driver.find_element(By.ID, "rejoindre").click()
    wait_for(lambda: room(d).get("waiting"), 10, what="waiting room")
    # The room's media prepared meanwhile, as each Chromium's camera runs before its call (the
    # baseline's prepare()): the setup timed from admission is the call's, not the camera's.
    wait_for(lambda: room(d).get("mediaReady"), 10, what="the room's media prepared")


def admit(d, booking):
    d.form_post(f"/console/visio/{booking['id']}/admit", {"_csrf": d.csrf()})


def engine_call(resolution, runs, seconds):
    setups, room_first, page_first = [], [], []
    with room_and_page(resolution) as (d, booking, token, driver):
        cpu = frames = None
        for run in range(runs):
            wait_in_waiting_room(d, driver, token)
            admitted = time.time() * 1000
            admit(d, booking)
            page = wait_for(lambda: driver.execute_script("return window.visioFirstFrameAt || null"), 20, what="first frame in Chromium")
            driver.execute_script(KEEP_SIZE)
            engine = wait_for(lambda: room(d).get("firstVideoMs"), 20, what="first frame at the engine")
            setups.append(max(page, engine) - admitted)
            page_first.append(page - admitted)
            room_first.append(engine - admitted)
            if os.environ.get("BENCH_TRACE"):
                print(f"call {run + 1}: admitted at {admitted:.0f} (epoch ms), page's first picture +{page - admitted:.0f} ms, room's +{engine - admitted:.0f} ms", file=sys.stderr)
            if run == runs - 1:
                time.sleep(3)  # past the ramp-up
                size = driver.execute_script("const v = document.getElementById('distant'); return v.videoWidth + 'x' + v.videoHeight")
                frames = (page_frames(driver), room(d)["videoFrames"])
                cpu = cpu_share(seconds, lambda: [d.proc.pid], lambda: browser_pids(driver))
                frames = (page_frames(driver) - frames[0], room(d)["videoFrames"] - frames[1], size)
            d.form_post("/salle/visio/raccrocher", {})
            wait_for(lambda: driver.find_element(By.ID, "fin").is_displayed(), 10, what="hang-up")
    return setups, page_first, room_first, cpu, frames


def engine_latency(resolution, seconds):
    """One stamped call: (room → page latencies, page → room latencies), ms."""
    with room_and_page(resolution, "--visio-stamps") as (d, booking, token, driver):
        wait_in_waiting_room(d, driver, token)
        admit(d, booking)
        wait_for(lambda: page_frames(driver) > 30 and room(d).get("videoFrames", 0) > 30, 20, what="frames")
        driver.execute_script(KEEP_SIZE)
        time.sleep(3)
        driver.execute_script("window.visioStamp.latencies()")
        room(d)
        time.sleep(seconds)
        return driver.execute_script("return window.visioStamp.latencies()"), room(d)["stampLatenciesMs"]


def browser_pids(driver):
    """The processes of one Chromium started by chromedriver (the browser and its children)."""
    root = int(driver.service.process.pid)
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int(Path(entry, "stat").read_text().rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry.name))
            except (OSError, IndexError, ValueError):
                pass
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def baseline_call(resolution, runs, seconds, stamps=False):
    """Two headless Chromiums call each other; the offer and answer go through WebDriver.
    With `stamps`, one call measuring glass-to-glass latency each way instead."""
    width, height = (int(v) for v in resolution.split("x"))
    folder = tempfile.mkdtemp(prefix="guichet-bench-baseline-")
    Path(folder, "index.html").write_text(BASELINE_PAGE)
    Path(folder, "visio-stamp.js").write_text((ROOT / "kiosk/static/visio-stamp.js").read_text())

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):
            super().__init__(*a, directory=folder, **k)

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    setups, cpu, frames = [], None, None
    caller, callee = chromium(*SOURCE["chromium"]), chromium(*SOURCE["chromium"])
    try:
        for run in range(runs):
            for side in (caller, callee):
                side.get(f"http://127.0.0.1:{server.server_port}/index.html")
                side.execute_async_script(f"const done = arguments[0]; window.prepare({width}, {height}, {str(stamps).lower()}).then(done)")
            started = time.time() * 1000
            offer = caller.execute_async_script("const done = arguments[0]; window.offer().then(done)")
            answer = callee.execute_async_script("const done = arguments[1]; window.answer(arguments[0]).then(done)", offer)
            caller.execute_async_script("const done = arguments[1]; window.accept(arguments[0]).then(done)", answer)
            firsts = [wait_for(lambda s=side: s.execute_script("return window.firstFrameAt || null"), 20, what="baseline frame") for side in (caller, callee)]
            setups.append(max(firsts) - started)
            if stamps:
                time.sleep(3)
                for side in (caller, callee):
                    side.execute_script("window.visioStamp.latencies()")
                time.sleep(seconds)
                latencies = [side.execute_script("return window.visioStamp.latencies()") for side in (caller, callee)]
                for side in (caller, callee):
                    side.execute_script("window.stopCall()")
                return latencies
            if run == runs - 1:
                time.sleep(3)
                sizes = [side.execute_script("return window.size()") for side in (caller, callee)]
                before = [side.execute_script("return window.frames()") for side in (caller, callee)]
                cpu = cpu_share(seconds, lambda: browser_pids(caller), lambda: browser_pids(callee))
                after = [side.execute_script("return window.frames()") for side in (caller, callee)]
                frames = (after[0] - before[0], after[1] - before[1], *sizes)
            for side in (caller, callee):
                side.execute_script("window.stopCall()")
    finally:
        caller.quit()
        callee.quit()
        server.shutdown()
    return setups, cpu, frames


def p50(values):
    return statistics.median(values)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--resolutions", default="640x480,1280x720")
    parser.add_argument("--source", choices=("recording", "test"), default="recording",
                        help="recording: the same clip at every end (default); test: the room's test picture against Chromium's fake camera")
    args = parser.parse_args()
    if not Path(os.environ["GUICHET_BINARY"]).exists():
        sys.exit("build first: swift build -c release --product guichet")
    if os.environ.get("BENCH_TRACE"):
        os.environ["GUICHET_MEDIA_TRACE"] = "1"
    print(f"visio benchmark: {args.runs} calls per side and resolution, CPU over {args.seconds:.0f} s of steady call, loopback, {os.cpu_count()} cores")
    clips = tempfile.mkdtemp(prefix="guichet-bench-clips-")
    atexit.register(shutil.rmtree, clips, True)
    for resolution in args.resolutions.split(","):
        pictures = use_source(args.source, resolution, clips)
        setups, page_first, room_first, cpu, frames = engine_call(resolution, args.runs, args.seconds)
        base_setups, base_cpu, base_frames = baseline_call(resolution, args.runs, args.seconds)
        print(f"\n{resolution} @ 30 fps, VP8 + Opus — pictures: {pictures}")
        print(f"  setup, engine ↔ Chromium   p50 {p50(setups):6.0f} ms  max {max(setups):6.0f} ms"
              f"  (first picture: page {p50(page_first):.0f} ms, room {p50(room_first):.0f} ms after admission)")
        print(f"  the first call after the daemon's start: {setups[0]:.0f} ms, then {', '.join(f'{s:.0f}' for s in setups[1:])} ms"
              f"  → {setups[0] / p50(base_setups):.2f}× Chromium ↔ Chromium's p50, {setups[0] / base_setups[0]:.2f}× its own first call"
              f" ({base_setups[0]:.0f} ms, fresh browsers)   (goal < 700 ms, ≤ 1.0×)")
        print(f"  setup, Chromium ↔ Chromium p50 {p50(base_setups):6.0f} ms  max {max(base_setups):6.0f} ms (signalling through WebDriver)"
              f"  → ratio {p50(setups) / p50(base_setups):.2f}×   (goal < 700 ms)")
        print(f"  CPU of the whole call, engine ↔ Chromium   {sum(cpu) * 100:5.0f} % of a core"
              f" (the room's daemon {cpu[0] * 100:.0f} %, the page {cpu[1] * 100:.0f} %)"
              f"  ({frames[0]} and {frames[1]} frames in {args.seconds:.0f} s; the page received {frames[2]})")
        print(f"  CPU of the whole call, Chromium ↔ Chromium {sum(base_cpu) * 100:5.0f} % of a core"
              f" (caller {base_cpu[0] * 100:.0f} %, callee {base_cpu[1] * 100:.0f} %)"
              f"  ({base_frames[0]} and {base_frames[1]} frames; received {base_frames[2]} and {base_frames[3]})"
              f" → ratio {sum(cpu) / sum(base_cpu):.2f}×   (goal ≤ 0.9)")
        to_page, to_room = engine_latency(resolution, args.seconds)
        base_one, base_two = baseline_call(resolution, 1, args.seconds, stamps=True)
        for label, values in (("room → page", to_page), ("page → room", to_room),
                              ("Chromium → Chromium", base_one), ("Chromium ← Chromium", base_two)):
            if values:
                print(f"  glass to glass, {label:<20} p50 {p50(values):5.0f} ms  p95 {sorted(values)[int(len(values) * 0.95)]:5.0f} ms"
                      f"  ({len(values)} frames)   (goal < 100 ms)")
            else:
                print(f"  glass to glass, {label:<20} no stamp read")


if __name__ == "__main__":
    main()
