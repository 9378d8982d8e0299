// The specialist's side of a visio call: check the devices, wait to be admitted, answer the
// room's offer, and keep the call going. Plain browser APIs, no framework.
'use strict';
(() => {
  const T = JSON.parse(document.getElementById('textes').textContent);
  const $ = (id) => document.getElementById(id);
  const sections = ['verification', 'attente', 'appel', 'fin'];
  let local = null;
  let pc = null;
  let ws = null;
  let channel = null;
  let iceServers = [];
  let ended = false;
  let lastFrames = 0;
  let stalledSince = null;
  // Reconnection: a page that was in the call keeps trying (a network change, a server
  // restart with the room going on) for as long as the room waits for it, then says so.
  let admittedOnce = false;
  let lostSince = null;
  const giveUpAfterMs = 30000;
  const remote = new MediaStream();

  // The device check's level meter (its audio graph), running only while the check is shown.
  let meterContext = null;

  const show = (name) => {
    sections.forEach((s) => { $(s).hidden = s !== name; });
    // Hidden, the check's preview and meter would still cost the specialist's computer CPU
    // all call long (the call shows its own small self-view).
    const checking = name === 'verification';
    if (local) $('apercu').srcObject = checking ? local : null;
    if (meterContext) (checking ? meterContext.resume() : meterContext.suspend()).catch(() => {});
  };
  const say = (text) => { $('etat').textContent = text; };
  const send = (message) => { if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message)); };

  async function checkDevices() {
    try {
      // The same picture size as the room sends.
      const size = { width: Number(document.body.dataset.width) || 640, height: Number(document.body.dataset.height) || 480 };
      local = await navigator.mediaDevices.getUserMedia({ audio: true, video: size });
      say(T.visioDevicesOk);
    } catch (e) {
      try {
        local = await navigator.mediaDevices.getUserMedia({ audio: true });
        say(T.visioNoCamera);
      } catch (e2) {
        say(T.visioNoDevices);
        return;
      }
    }
    if (window.visioStamp && local.getVideoTracks().length) {
      const { width, height } = local.getVideoTracks()[0].getSettings();
      local = window.visioStamp.wrap(local, width, height);
    }
    $('apercu').srcObject = local;
    $('moi').srcObject = local;
    meter(local);
    $('rejoindre').disabled = false;
  }

  // The microphone level, so the specialist sees the sound is picked up.
  function meter(stream) {
    if (!stream.getAudioTracks().length || !window.AudioContext) return;
    try {
      const audio = new AudioContext();
      const analyser = audio.createAnalyser();
      audio.createMediaStreamSource(stream).connect(analyser);
      meterContext = audio;
      const samples = new Uint8Array(analyser.fftSize);
      setInterval(() => {
        if (audio.state !== 'running') return;
        analyser.getByteTimeDomainData(samples);
        let peak = 0;
        for (const s of samples) peak = Math.max(peak, Math.abs(s - 128) / 128);
        $('niveau').value = peak;
      }, 100);
    } catch (e) { /* the meter is a help, not a condition */ }
  }

  // The video codecs this browser decodes, in its own order of preference: the room sends the
  // first it can (or the one the structure chose).
  function videoCodecs() {
    if (!window.RTCRtpReceiver || !RTCRtpReceiver.getCapabilities) return [];
    const names = RTCRtpReceiver.getCapabilities('video').codecs.map((c) => c.mimeType)
      .filter((n) => /^video\/(VP8|VP9|H264|AV1)$/i.test(n));
    return [...new Set(names)].slice(0, 16);
  }

  const socketPath = () => location.pathname.replace(/\/$/, '') + '/ws';

  function connect() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(scheme + '//' + location.host + socketPath());
    let opened = false;
    ws = socket;
    socket.onopen = () => { opened = true; send({ type: 'join', version: 1, codecs: videoCodecs() }); };
    socket.onmessage = (event) => {
      let message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      handle(message).catch((e) => console.warn('visio', e));
    };
    socket.onclose = () => {
      if (ended || socket !== ws) return;
      if (!opened) whyRefused();
      else lost();
    };
  }

  // The connection dropped: try again every 2 s; past the room's patience, the call is over.
  function lost() {
    if (ended) return;
    if (lostSince === null) lostSince = Date.now();
    if (Date.now() - lostSince > giveUpAfterMs) { finish(T.visioLost); return; }
    say(T.visioReconnecting);
    setTimeout(connect, 2000);
  }

  // The server refused the socket: a link that no longer opens ends the page at once.
  async function whyRefused() {
    try {
      const response = await fetch(socketPath(), { cache: 'no-store' });
      if ([403, 404, 410].includes(response.status)) { finish(T.visioRefusedClosed); return; }
    } catch (e) { /* the server is unreachable: keep trying */ }
    lost();
  }

  async function handle(message) {
    switch (message.type) {
      case 'waiting':
        show('attente');
        say(T.visioWaitingTitle);
        break;
      case 'admitted':
        iceServers = message.iceServers || [];
        lostSince = null;
        admittedOnce = true;
        // A repeated join while the call runs changes nothing on screen.
        if (pc && pc.connectionState === 'connected') break;
        show('appel');
        say(T.visioConnecting);
        break;
      case 'offer':
        await answer(message.sdp);
        break;
      case 'candidate':
        if (pc && message.candidate) {
          await pc.addIceCandidate({ candidate: message.candidate, sdpMLineIndex: message.mline }).catch(() => {});
        }
        break;
      case 'leave':
        finish(T.visioRoomHungUp);
        break;
      case 'error':
        if (message.code === 'call_ended') finish(message.message);
        else if (message.code === 'link_in_use') inUse();
        else console.warn('visio refused a message:', message.code, message.message);
        break;
    }
  }

  // The room is always the offerer; the page answers with the tracks it has.
  async function answer(sdp) {
    if (pc) pc.close();
    remote.getTracks().forEach((t) => remote.removeTrack(t));
    pc = new RTCPeerConnection({ iceServers, bundlePolicy: 'max-bundle' });
    window.visioPeer = pc; // for the benchmark and the browser's console
    pc.onicecandidate = (e) => send({
      type: 'candidate', mline: e.candidate ? e.candidate.sdpMLineIndex : 0, candidate: e.candidate ? e.candidate.candidate : '',
    });
    pc.ontrack = (e) => {
      remote.addTrack(e.track);
      $('distant').srcObject = remote;
    };
    const video = $('distant');
    if (video.requestVideoFrameCallback) {
      // The wall-clock time of the first picture shown (the benchmark reads it).
      video.requestVideoFrameCallback(() => { window.visioFirstFrameAt = performance.timeOrigin + performance.now(); });
      if (window.visioStamp) window.visioStamp.read(video);
    }
    pc.ondatachannel = (e) => { channel = e.channel; };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'connected') { lostSince = null; say(T.visioConnected); }
      if (pc.connectionState === 'failed') { say(T.visioReconnecting); ws.close(); }
    };
    await pc.setRemoteDescription({ type: 'offer', sdp });
    for (const transceiver of pc.getTransceivers()) {
      const kind = transceiver.receiver.track.kind;
      const track = local && local.getTracks().find((t) => t.kind === kind);
      if (track && !transceiver.stopped) {
        await transceiver.sender.replaceTrack(track);
        transceiver.direction = 'sendrecv';
      }
    }
    await pc.setLocalDescription(await pc.createAnswer());
    send({ type: 'answer', sdp: pc.localDescription.sdp });
  }

  // Video that stops arriving while the call is connected: say the call goes on in audio.
  setInterval(() => {
    const video = $('distant');
    if (!pc || pc.connectionState !== 'connected' || !video.getVideoPlaybackQuality) return;
    const frames = video.getVideoPlaybackQuality().totalVideoFrames;
    if (frames !== lastFrames) { lastFrames = frames; stalledSince = null; }
    else if (stalledSince === null) stalledSince = Date.now();
    $('audio-seul').hidden = stalledSince === null || Date.now() - stalledSince < 6000;
  }, 1000);

  // Another device holds this link's call. The page that was in the call (its old
  // connection not yet known lost) tries again; a newcomer is told, with a button, and
  // stays connected meanwhile so that the agent sees a second device waiting.
  function inUse() {
    if (admittedOnce && !ended) {
      const socket = ws;
      ws = null;
      if (socket) socket.close();
      lost();
      return;
    }
    show('verification');
    say(T.visioLinkInUse);
    $('rejoindre').textContent = T.visioRetry;
    $('rejoindre').disabled = false;
  }

  function finish(reason) {
    ended = true;
    if (pc) pc.close();
    pc = null;
    if (ws) ws.close();
    if (local) local.getTracks().forEach((t) => t.stop());
    $('fin-raison').textContent = reason || '';
    show('fin');
    say(T.visioEndedTitle);
  }

  function toggle(button, kind, offText, onText) {
    const tracks = local ? local.getTracks().filter((t) => t.kind === kind) : [];
    const off = button.getAttribute('aria-pressed') !== 'true';
    tracks.forEach((t) => { t.enabled = !off; });
    button.setAttribute('aria-pressed', String(off));
    button.textContent = off ? onText : offText;
  }

  $('rejoindre').addEventListener('click', () => {
    $('rejoindre').disabled = true;
    const refused = ws;
    ws = null;
    if (refused) refused.close();
    connect();
  });
  $('micro').addEventListener('click', (e) => toggle(e.currentTarget, 'audio', T.visioMute, T.visioUnmute));
  $('camera').addEventListener('click', (e) => toggle(e.currentTarget, 'video', T.visioCameraOff, T.visioCameraOn));
  $('raccrocher').addEventListener('click', () => { send({ type: 'leave' }); finish(''); });
  $('message').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $('texte').value.trim();
    if (!text) return;
    if (channel && channel.readyState === 'open') channel.send(text);
    else send({ type: 'chat', text });
    $('texte').value = '';
    say(T.visioChatSent);
  });
  // A browser starts an audio graph made before any gesture suspended: the first touch or key
  // on the check starts the meter.
  ['pointerdown', 'keydown'].forEach((type) => document.addEventListener(type, () => {
    if (meterContext && !$('verification').hidden) meterContext.resume().catch(() => {});
  }, { once: true }));
  checkDevices();
})();
