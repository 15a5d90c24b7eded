// kyc.js: the browser's half of a video KYC call. It asks for the camera
// and microphone (audio first, low-resolution video for weak connections),
// connects one RTCPeerConnection to ksmart's relay, signalled over a
// WebSocket, and shows the other party. The officer's page also takes
// snapshots of the citizen's video. Everything else is server-rendered.
(function () {
  "use strict";
  var root = document.getElementById("kyc-call");
  if (!root) return;
  var status = document.getElementById("kyc-status");
  var joinBtn = document.getElementById("kyc-join");
  var audioBtn = document.getElementById("kyc-audio-only");
  var snapBtn = document.getElementById("kyc-snapshot");
  var remote = document.getElementById("kyc-remote");
  var local = document.getElementById("kyc-local");
  var office = root.dataset.office === "true";
  var ice = [];
  try { ice = JSON.parse(root.dataset.ice || "[]") || []; } catch (e) { ice = []; }
  var pc = null, ws = null, stream = null, ended = false;

  function say(key) { status.textContent = root.dataset["msg" + key] || key; }
  function setState(s) { root.dataset.state = s; }

  // media asks for audio and small video; on failure to get a camera it
  // offers audio only, which the officer may accept or not.
  function media(audioOnly) {
    say("Asking");
    var video = audioOnly ? false : { width: { ideal: 320 }, height: { ideal: 240 }, frameRate: { ideal: 15, max: 15 } };
    return navigator.mediaDevices.getUserMedia({ audio: true, video: video });
  }

  function hangUp() {
    if (pc) { pc.close(); pc = null; }
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    if (snapBtn) snapBtn.disabled = true;
  }

  // The moments of joining, connecting and the first picture, in ms since
  // the page loaded, are kept on the call's element for whoever measures.
  function mark(what) { root.dataset[what] = String(Math.round(performance.now())); }
  remote.addEventListener("loadeddata", function () { mark("pictureAt"); });

  function start(audioOnly) {
    mark("joinAt");
    joinBtn.disabled = true;
    audioBtn.hidden = true;
    ended = false;
    media(audioOnly).then(function (s) {
      stream = s;
      local.srcObject = s;
      connect(audioOnly);
    }, function () {
      if (!audioOnly) {
        say("Nocamera");
        audioBtn.hidden = false;
        audioBtn.focus();
      } else {
        status.textContent = "getUserMedia failed";
      }
      joinBtn.disabled = false;
    });
  }

  function send(m) { if (ws && ws.readyState === 1) ws.send(JSON.stringify(m)); }

  function connect(audioOnly) {
    say("Connecting");
    setState("connecting");
    pc = new RTCPeerConnection({ iceServers: ice });
    // Audio first: the call still works when the video cannot keep up.
    stream.getAudioTracks().forEach(function (t) { pc.addTrack(t, stream); });
    var vt = stream.getVideoTracks();
    if (vt.length) {
      var sender = pc.addTrack(vt[0], stream);
      var p = sender.getParameters();
      p.encodings = p.encodings && p.encodings.length ? p.encodings : [{}];
      p.encodings[0].maxBitrate = 300000;
      p.degradationPreference = "maintain-framerate";
      sender.setParameters(p).catch(function () {});
    } else {
      pc.addTransceiver("video", { direction: "recvonly" });
    }
    pc.ontrack = function (e) {
      if (!remote.srcObject) remote.srcObject = e.streams[0] || new MediaStream();
      if (!e.streams[0]) remote.srcObject.addTrack(e.track);
    };
    pc.onicecandidate = function (e) { if (e.candidate) send({ type: "candidate", candidate: e.candidate.toJSON() }); };
    pc.onconnectionstatechange = function () {
      setState(pc ? pc.connectionState : "closed");
      if (pc && pc.connectionState === "connected") {
        mark("connectedAt");
        say("Connected");
        if (snapBtn) snapBtn.disabled = false;
      }
    };
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + root.dataset.ws + (audioOnly ? "?audio_only=1" : "");
    ws = new WebSocket(url);
    ws.onmessage = function (ev) {
      var m = JSON.parse(ev.data);
      if (m.type === "joined") {
        pc.createOffer().then(function (o) { return pc.setLocalDescription(o); }).then(function () {
          send({ type: "offer", sdp: pc.localDescription.sdp });
        });
      } else if (m.type === "answer") {
        pc.setRemoteDescription({ type: "answer", sdp: m.sdp });
      } else if (m.type === "candidate") {
        pc.addIceCandidate(m.candidate).catch(function () {});
      } else if (m.type === "peer") {
        if (!m.present) say("Peerleft");
        else if (office && m.audio_only) say("Peeraudio");
      } else if (m.type === "ended") {
        ended = true;
        status.textContent = document.documentElement.lang === "ml" && m.text && m.text.ml ? m.text.ml : (m.text ? m.text.en : "");
        setState("ended");
        hangUp();
      }
    };
    ws.onclose = function () {
      if (ended) return;
      hangUp();
      setState("dropped");
      say("Dropped");
      joinBtn.disabled = false;
      joinBtn.focus();
    };
  }

  joinBtn.addEventListener("click", function () { start(false); });
  audioBtn.addEventListener("click", function () { start(true); });
  if (snapBtn) {
    snapBtn.addEventListener("click", function () {
      if (!remote.videoWidth) return;
      var c = document.createElement("canvas");
      c.width = remote.videoWidth;
      c.height = remote.videoHeight;
      c.getContext("2d").drawImage(remote, 0, 0);
      c.toBlob(function (blob) {
        var token = document.querySelector("input[name=_csrf]");
        fetch(root.dataset.snapshot, { method: "POST", body: blob, credentials: "same-origin",
          headers: { "Content-Type": "image/jpeg", "X-CSRF-Token": token ? token.value : "" } }).then(function (r) {
          if (!r.ok) return;
          var li = document.createElement("li");
          li.textContent = root.dataset.msgSnapshot;
          document.getElementById("kyc-snapshots").appendChild(li);
          say("Snapshot");
        });
      }, "image/jpeg", 0.85);
    });
  }
})();
