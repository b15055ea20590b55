// The agent console. It keeps nothing in the browser: no storage, no cookies
// of its own; the status comes from the server, which polls the broker. When
// the page is hidden or closed it clears its fields and asks the server to
// drop the verification.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const form = $("verify"), result = $("result"), check = $("number-check");
  let current = null, timer = null, checkTimer = null;

  async function call(path, body) {
    const resp = await fetch("/agent/api" + path, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body || {}),
    });
    if (resp.status === 401) {
      window.location.replace("/agent/");
      throw new Error("signed out");
    }
    const data = resp.status === 204 ? {} : await resp.json();
    if (!resp.ok) {
      throw new Error(data.error_description || data.error || resp.statusText);
    }
    return data;
  }

  function showCheck(problem) {
    check.textContent = problem ? check.dataset[problem] || "" : "";
    check.className = "ag-check" + (problem === "ok" ? " ok" : problem && problem !== "incomplete" ? " bad" : "");
    $("number").setAttribute("aria-invalid", problem && problem !== "ok" && problem !== "incomplete" ? "true" : "false");
  }

  function checkSoon() {
    clearTimeout(checkTimer);
    const number = $("number").value.trim();
    if (!number) {
      showCheck("");
      return;
    }
    checkTimer = setTimeout(async () => {
      try {
        const data = await call("/check", { country: $("country").value, number: number });
        if ($("number").value.trim() === number) {
          showCheck(data.problem);
        }
      } catch (e) {
        showCheck("");
      }
    }, 150);
  }

  function reason() {
    const choice = $("reason-choice");
    if (choice && choice.value) {
      return choice.value;
    }
    return $("reason").value.trim();
  }

  // levelName is the eIDAS level of an acr in the page's language.
  function levelName(acr) {
    const level = acr.replace(/^.*\//, "");
    return result.dataset["level" + level.charAt(0).toUpperCase() + level.slice(1)] || level;
  }

  function render(status) {
    result.hidden = false;
    result.dataset.state = status.state;
    $("result-state").textContent = result.dataset[status.state] || status.state;
    const done = status.state === "approved";
    $("result-details").hidden = !done;
    $("result-name").textContent = done ? status.name || "" : "";
    $("result-match").textContent = done ? (status.match ? result.dataset.match : result.dataset.mismatch) : "";
    $("result-match").className = done && !status.match ? "mismatch" : "";
    $("result-level").textContent = done ? levelName(status.level || "") : "";
    $("result-time").textContent = done && status.at ? new Date(status.at).toLocaleString(document.documentElement.lang) : "";
    $("result-error").textContent = status.error_description || "";
    if (status.state !== "pending") {
      $("start").disabled = false;
    }
  }

  async function poll() {
    if (!current) {
      return;
    }
    try {
      const status = await call("/verifications/" + encodeURIComponent(current) + "/status");
      render(status);
      if (status.state === "pending") {
        timer = setTimeout(poll, 1000);
      }
    } catch (e) {
      $("result-error").textContent = e.message;
      timer = setTimeout(poll, 3000);
    }
  }

  async function start(event) {
    event.preventDefault();
    if (!reason()) {
      $("reason").hidden = false;
      $("reason").focus();
      return;
    }
    clearAll(false);
    $("start").disabled = true;
    try {
      const data = await call("/verifications", {
        country: $("country").value,
        number: $("number").value.trim(),
        call_initiator: form.querySelector('input[name="call_initiator"]:checked').value,
        reason: reason(),
        binding_message: $("binding").value.trim(),
      });
      current = data.id;
      render(data.status);
      timer = setTimeout(poll, 1000);
    } catch (e) {
      $("start").disabled = false;
      render({ state: "failed", error_description: e.message });
    }
  }

  // clearAll forgets the caller: the result on screen, the record on the
  // server, and (when asked) what was typed.
  function clearAll(fields) {
    clearTimeout(timer);
    if (current) {
      const body = new FormData();
      body.append("csrf_token", csrf);
      navigator.sendBeacon("/agent/api/verifications/" + encodeURIComponent(current) + "/clear", body);
      current = null;
    }
    for (const id of ["result-state", "result-name", "result-match", "result-level", "result-time", "result-error"]) {
      $(id).textContent = "";
    }
    result.hidden = true;
    if (fields) {
      form.reset();
      showCheck("");
      $("start").disabled = false;
    }
  }

  $("number").addEventListener("input", checkSoon);
  $("country").addEventListener("change", checkSoon);
  const choice = $("reason-choice");
  if (choice) {
    choice.addEventListener("change", () => {
      $("reason").hidden = choice.value !== "";
    });
  }
  form.addEventListener("submit", start);
  $("clear").addEventListener("click", () => clearAll(true));
  window.addEventListener("pagehide", () => clearAll(true));
})();
