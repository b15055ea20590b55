// Polls an eID order for the order page: swaps in the next QR code, keeps the
// status message current for screen readers, and follows the redirect the
// server sends when the order completes or fails.
(function () {
  'use strict';

  var root = document.querySelector('[data-pv-order]');
  if (!root || !window.fetch) {
    return;
  }
  // The spinner shows only while this script keeps the page up to date.
  root.setAttribute('data-live', '');
  var statusURL = root.getAttribute('data-status-url');
  var offlineMessage = root.getAttribute('data-offline-message');
  var qr = document.getElementById('pv-qr');
  var message = document.getElementById('pv-status-message');
  // Until the person opens the app on this device, the upstream's pending
  // message ("trying to start the app") is not true yet: the line keeps asking
  // them to open it. Opening it is a tap on a launch link, or the page going to
  // the background as the app takes over.
  var awaitingLaunch = root.hasAttribute('data-awaiting-launch');
  var maxFailures = 15;
  var failures = 0;
  var busy = false;
  var timer = null;

  // qrImage draws the QR content the server sent (it changes every second) as an
  // image, here rather than on the server: one image per poll per pending login
  // would cost the broker more than everything else it does for the page. Like
  // the server's first image it has no quiet zone (the frame is one), so the code
  // fills the image and keeps its size.
  function qrImage(content) {
    var code = window.qrcode(0, 'M');
    code.addData(content);
    code.make();
    return code.createDataURL(6, 0);
  }

  function setMessage(text) {
    if (text && message && message.textContent !== text) {
      message.textContent = text;
    }
  }

  function stop(state) {
    window.clearInterval(timer);
    timer = null;
    root.setAttribute('data-state', state);
  }

  function follow(target) {
    var url = new URL(target, window.location.href);
    if (url.protocol === 'https:' || url.protocol === 'http:') {
      window.location.assign(url.href);
    }
  }

  function poll() {
    if (busy || timer === null) {
      return;
    }
    busy = true;
    fetch(statusURL, { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } })
      // Error statuses carry JSON too (a lost session answers 404 with a
      // redirect); only a body that is not JSON counts as a failed poll.
      .then(function (response) {
        return response.json();
      })
      .then(function (status) {
        failures = 0;
        if (!awaitingLaunch || status.status !== 'pending') {
          setMessage(status.message);
        }
        if (qr && typeof status.qr_content === 'string' && status.qr_content && typeof window.qrcode === 'function') {
          qr.src = qrImage(status.qr_content);
        } else if (qr && typeof status.qr === 'string' && status.qr.indexOf('data:image/png;base64,') === 0) {
          qr.src = status.qr;
        }
        if (status.status === 'complete' || status.status === 'failed') {
          stop(status.status);
          if (status.redirect) {
            follow(status.redirect);
          }
        }
      })
      .catch(function () {
        failures += 1;
        if (failures >= maxFailures) {
          stop('failed');
          setMessage(offlineMessage);
        }
      })
      .then(function () {
        busy = false;
      });
  }

  function launched() {
    awaitingLaunch = false;
    root.removeAttribute('data-awaiting-launch');
  }
  Array.prototype.forEach.call(root.querySelectorAll('.pv-launch a, .pv-launch-instead a'), function (link) {
    link.addEventListener('click', launched);
  });

  timer = window.setInterval(poll, 1000);
  // Back from the eID app on the same device: check at once instead of waiting.
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'hidden') {
      launched();
    } else {
      poll();
    }
  });
})();
