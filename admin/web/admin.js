// The admin page: a person signs in with their eID through the broker (the
// page's session cookie); the page then uses only the admin API, with the
// session's CSRF token on every change, so it can do nothing the person's
// roles would not allow. Nothing is kept in the browser's storage.
"use strict";
(function () {
  const api = "/admin/api/v1";
  const $ = (id) => document.getElementById(id);
  let csrf = "";
  let editing = null;

  function status(text, kind) {
    const el = $("status");
    el.textContent = text || "";
    el.className = kind || "";
  }

  function show(view) {
    for (const id of ["signin-view", "clients-view", "edit-view", "audit-view"]) {
      $(id).hidden = id !== view;
    }
    $("nav").hidden = view === "signin-view";
  }

  async function call(method, path, body) {
    const opts = { method, credentials: "same-origin", cache: "no-store", headers: { "X-CSRF-Token": csrf } };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    const resp = await fetch(api + path, opts);
    if (resp.status === 401) {
      signedOut("Your session ended; sign in again.");
      throw new Error("signed out");
    }
    const data = resp.status === 204 ? {} : await resp.json();
    if (!resp.ok) {
      const problems = data.problems ? ": " + data.problems.join("; ") : "";
      throw new Error((data.error_description || data.error || resp.statusText) + problems);
    }
    return data;
  }

  function signedOut(message) {
    csrf = "";
    show("signin-view");
    status(message || "", message ? "error" : "");
  }

  // start asks who is signed in; the answer carries the CSRF token.
  async function start() {
    const resp = await fetch("/admin/session", { credentials: "same-origin", cache: "no-store" });
    const data = resp.ok ? await resp.json() : { signed_in: false };
    if (!data.signed_in) {
      signedOut(new URLSearchParams(window.location.search).get("error") ? "Sign-in did not finish; try again." : "");
      return;
    }
    csrf = data.csrf_token;
    $("signout-csrf").value = csrf;
    $("who").textContent = data.name || "";
    if (!data.roles || data.roles.length === 0) {
      signedOut("You are signed in, but you have neither the admin nor the auditor role.");
      $("nav").hidden = false;
      return;
    }
    await listClients();
  }

  function cell(row, text) {
    const td = document.createElement("td");
    td.textContent = text == null ? "" : String(text);
    row.appendChild(td);
    return td;
  }

  async function listClients() {
    try {
      const data = await call("GET", "/clients");
      const body = $("clients").tBodies[0];
      body.replaceChildren();
      for (const c of data.clients) {
        const tr = document.createElement("tr");
        tr.dataset.client = c.id;
        cell(tr, c.id);
        cell(tr, c.name);
        cell(tr, c.read_only ? "config (read-only)" : c.source);
        cell(tr, (c.countries || []).join(", ") || "all");
        cell(tr, (c.eids || []).join(", "));
        cell(tr, c.disabled ? "disabled" : "enabled");
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = c.read_only ? "View" : "Edit";
        button.className = "edit-client";
        button.addEventListener("click", () => edit(c.id));
        cell(tr, "").appendChild(button);
        body.appendChild(tr);
      }
      show("clients-view");
      status("");
    } catch (e) {
      if (csrf) status(e.message, "error");
    }
  }

  function checkbox(container, name, value, label, checked, disabled) {
    const l = document.createElement("label");
    const input = document.createElement("input");
    input.type = "checkbox";
    input.name = name;
    input.value = value;
    input.checked = checked;
    input.disabled = disabled;
    l.appendChild(input);
    l.appendChild(document.createTextNode(label));
    container.appendChild(l);
  }

  async function edit(id) {
    try {
      const [client, eids] = await Promise.all([call("GET", "/clients/" + encodeURIComponent(id)), call("GET", "/eids")]);
      editing = client;
      $("edit-id").textContent = client.id;
      $("edit-readonly").hidden = !client.read_only;
      $("edit-save").disabled = client.read_only;
      const countries = $("edit-countries"), eidBox = $("edit-eids");
      countries.replaceChildren();
      eidBox.replaceChildren();
      for (const c of eids.countries) {
        checkbox(countries, "country", c, c, (client.countries || []).includes(c), client.read_only);
      }
      for (const e of eids.eids) {
        checkbox(eidBox, "eid", e.id, e.name + " (" + e.id + ")", (client.eids || []).includes(e.id), client.read_only);
      }
      $("edit-dpop").checked = !!client.dpop_bound_access_tokens;
      for (const [field, setting] of requestFlags) $(field).checked = !!client[setting];
      $("edit-sign").checked = (client.authorization_details_types || []).includes(signType);
      for (const [field, setting] of tokenSettings) {
        $(field).value = client[setting] || "";
      }
      for (const field of ["edit-dpop", "edit-sign", ...tokenSettings.keys(), ...requestFlags.keys()]) $(field).disabled = client.read_only;
      show("edit-view");
      status("");
    } catch (e) {
      status(e.message, "error");
    }
  }

  // The token settings' fields and the client document's keys they edit.
  const tokenSettings = new Map([
    ["edit-idt-alg", "id_token_encrypted_response_alg"],
    ["edit-idt-enc", "id_token_encrypted_response_enc"],
    ["edit-ui-alg", "userinfo_encrypted_response_alg"],
    ["edit-ui-enc", "userinfo_encrypted_response_enc"],
    ["edit-profile", "profile"],
    ["edit-request-alg", "request_object_signing_alg"],
  ]);

  // The authorization request rules' checkboxes and their keys.
  const requestFlags = new Map([
    ["edit-require-par", "require_pushed_authorization_requests"],
    ["edit-require-signed", "require_signed_request_object"],
  ]);

  // The authorization_details type of a signature request.
  const signType = "urn:portvakt:sign:v1";

  function checked(container) {
    return Array.from(container.querySelectorAll("input:checked")).map((i) => i.value);
  }

  async function save(event) {
    event.preventDefault();
    if (!editing) return;
    const doc = Object.assign({}, editing, { countries: checked($("edit-countries")), eids: checked($("edit-eids")) });
    doc.dpop_bound_access_tokens = $("edit-dpop").checked;
    for (const [field, setting] of requestFlags) doc[setting] = $(field).checked;
    const types = (doc.authorization_details_types || []).filter((t) => t !== signType);
    if ($("edit-sign").checked) types.push(signType);
    if (types.length) doc.authorization_details_types = types;
    else delete doc.authorization_details_types;
    for (const [field, setting] of tokenSettings) {
      if ($(field).value) doc[setting] = $(field).value;
      else delete doc[setting];
    }
    try {
      editing = await call("PUT", "/clients/" + encodeURIComponent(editing.id), doc);
      status("Saved " + editing.id + ".", "ok");
    } catch (e) {
      status("Not saved: " + e.message, "error");
    }
  }

  async function listAudit(event) {
    if (event) event.preventDefault();
    const q = new URLSearchParams();
    if ($("audit-client").value) q.set("client_id", $("audit-client").value);
    if ($("audit-sub").value) q.set("sub", $("audit-sub").value);
    q.set("limit", "500");
    try {
      const data = await call("GET", "/audit?" + q.toString());
      const body = $("audit").tBodies[0];
      body.replaceChildren();
      for (const r of data.records.slice().reverse()) {
        const tr = document.createElement("tr");
        cell(tr, r.seq);
        cell(tr, new Date(r.time).toLocaleString());
        cell(tr, r.kind);
        cell(tr, r.client_id);
        cell(tr, [r.actor, r.action].filter(Boolean).join(" "));
        cell(tr, r.eid);
        cell(tr, r.loa);
        cell(tr, r.national_id);
        cell(tr, r.sub);
        cell(tr, r.outcome + (r.error ? " (" + r.error + ")" : ""));
        cell(tr, r.client_ip);
        body.appendChild(tr);
      }
      show("audit-view");
      status("");
    } catch (e) {
      status(e.message, "error");
    }
  }

  async function verify() {
    const out = $("audit-verify-result");
    try {
      const rep = await call("GET", "/audit/verify");
      if (rep.ok) {
        out.textContent = "The chain verifies: " + rep.records + " records.";
        out.className = "ok";
      } else {
        out.textContent = "The chain is broken at record " + rep.broken.seq + ": " + rep.broken.reason;
        out.className = "error";
      }
    } catch (e) {
      status(e.message, "error");
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("edit").addEventListener("submit", save);
    $("edit-cancel").addEventListener("click", listClients);
    $("nav-clients").addEventListener("click", listClients);
    $("nav-audit").addEventListener("click", () => listAudit());
    $("audit-filter").addEventListener("submit", listAudit);
    $("audit-verify").addEventListener("click", verify);
    start();
  });
})();
