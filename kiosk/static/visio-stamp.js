// Benchmark only (guichet serve --visio-stamps; scripts/bench_visio.py): glass-to-glass
// latency. Outgoing pictures come from a canvas that writes the wall-clock time (low 32 bits
// of ms) as 32 blocks of 16×16 pixels along the top row, white for 1; incoming pictures are
// read back the same way when shown. The room's engine stamps and reads with the same layout.
'use strict';
window.visioStamp = (() => {
  const BITS = 32;
  const BLOCK = 16;
  const latencies = [];
  const nowMs = () => Math.floor(performance.timeOrigin + performance.now());

  // A video track drawn on a canvas: grey moving picture plus the stamp.
  function stampedTrack(width, height) {
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const g = canvas.getContext('2d');
    let frame = 0;
    setInterval(() => {
      frame += 1;
      g.fillStyle = '#808080';
      g.fillRect(0, 0, width, height);
      g.fillStyle = '#404080';
      g.fillRect((frame * 4) % width, height / 3, 80, 80);
      const stamp = nowMs() % 2 ** 32;
      for (let bit = 0; bit < BITS; bit++) {
        g.fillStyle = Math.floor(stamp / 2 ** (BITS - 1 - bit)) % 2 ? '#ffffff' : '#000000';
        g.fillRect(bit * BLOCK, 0, BLOCK, BLOCK);
      }
    }, 1000 / 30);
    return canvas.captureStream(30).getVideoTracks()[0];
  }

  function wrap(stream, width, height) {
    return new MediaStream([...stream.getAudioTracks(), stampedTrack(width, height)]);
  }

  function read(video) {
    const canvas = document.createElement('canvas');
    const g = canvas.getContext('2d', { willReadFrequently: true });
    const onFrame = (now) => {
      if (video.videoWidth >= BITS * BLOCK) {
        canvas.width = video.videoWidth;
        canvas.height = BLOCK;
        g.drawImage(video, 0, 0);
        const row = g.getImageData(0, BLOCK / 2, BITS * BLOCK, 1).data;
        let stamp = 0;
        for (let bit = 0; bit < BITS; bit++) {
          const i = (bit * BLOCK + BLOCK / 2) * 4;
          stamp = stamp * 2 + ((row[i] + row[i + 1] + row[i + 2]) / 3 > 128 ? 1 : 0);
        }
        const latency = (Math.floor(performance.timeOrigin + now) % 2 ** 32) - stamp;
        if (latency >= 0 && latency < 5000) latencies.push(latency);
      }
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  }

  return { wrap, read, latencies: () => latencies.splice(0) };
})();
