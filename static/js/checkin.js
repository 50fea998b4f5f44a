/* Check-in at the door: taps are shown at once and sent in the background; while the network
   is down they wait in localStorage and are sent later with the time they were made. A tap
   says "present (or not) at time T", so sending one twice counts once (the server keeps the
   first). Without this script every tap is an ordinary form post. */
(function () {
  "use strict";

  var KEY = "checkin-queue:" + window.location.pathname;
  var sending = false;

  function load() {
    try {
      return JSON.parse(window.localStorage.getItem(KEY) || "[]");
    } catch (error) {
      return [];
    }
  }

  function save(queue) {
    window.localStorage.setItem(KEY, JSON.stringify(queue));
    showQueue(queue.length);
  }

  function showQueue(count) {
    var note = document.getElementById("door-queue");
    if (!note) return;
    note.hidden = count === 0;
    note.textContent = count ? note.getAttribute("data-waiting").replace("%n", count) : "";
  }

  function clock(date) {
    return date.toLocaleTimeString(document.documentElement.lang || "fr", {
      hour: "2-digit",
      minute: "2-digit",
      timeZone: "Europe/Brussels",
    });
  }

  function show(item, present, when) {
    var form = item.querySelector("form");
    var button = form.querySelector("button");
    var state = form.querySelector(".tap-state");
    var labels = document.getElementById("door-queue");
    item.classList.toggle("is-present", present);
    item.setAttribute("data-present", present ? "true" : "false");
    button.setAttribute("aria-pressed", present ? "true" : "false");
    form.elements.present.value = present ? "0" : "1";
    state.textContent = present
      ? labels.getAttribute("data-present").replace("%s", clock(when))
      : labels.getAttribute("data-absent");
  }

  function count(name, change) {
    var cell = document.querySelector('[data-count="' + name + '"]');
    if (cell) cell.textContent = String(Math.max(0, parseInt(cell.textContent, 10) + change));
  }

  function countLocally(item, present) {
    var change = present ? 1 : -1;
    if (item.hasAttribute("data-walk-in")) {
      count("walk_ins", change);
    } else {
      count("present", change);
      count("not_come", -change);
    }
  }

  function showCounts(counts) {
    Object.keys(counts).forEach(function (name) {
      var cell = document.querySelector('[data-count="' + name + '"]');
      if (cell) cell.textContent = String(counts[name]);
    });
  }

  function token() {
    var field = document.querySelector(".tap-form input[name=csrf_token]");
    return field ? field.value : "";
  }

  function freshToken() {
    return fetch(window.location.href, { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var field = page.querySelector(".tap-form input[name=csrf_token]");
        if (!field) return;
        document.querySelectorAll(".tap-form input[name=csrf_token]").forEach(function (input) {
          input.value = field.value;
        });
      });
  }

  function post(tap) {
    var body = new URLSearchParams();
    body.set("csrf_token", token());
    body.set("registration", tap.registration);
    body.set("date", tap.date);
    body.set("present", tap.present);
    body.set("tapped_at", tap.tapped_at);
    return fetch(tap.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
  }

  // Sends the queue in order; stops at the first network failure (kept for later).
  function flush() {
    if (sending) return;
    var queue = load();
    if (!queue.length) return;
    sending = true;
    var tap = queue[0];
    post(tap)
      .then(function (response) {
        if (response.status === 400 && !tap.retried) {
          tap.retried = true; // the form token expired while offline: take a fresh one
          return freshToken().then(function () { return post(tap); });
        }
        return response;
      })
      .then(function (response) {
        var rest = load().filter(function (other) { return other.id !== tap.id; });
        save(rest);
        sending = false;
        if (response.ok) {
          return response.json().then(function (answer) {
            if (answer.counts && !rest.length) showCounts(answer.counts);
            flush();
          });
        }
        flush(); // refused for good (not found, bad date): nothing to retry
      })
      .catch(function () {
        sending = false;
        showQueue(load().length);
      });
  }

  function onTap(event) {
    var form = event.target.closest(".tap-form");
    if (!form) return;
    event.preventDefault();
    var item = form.closest(".door-person");
    var present = form.elements.present.value === "1";
    var now = new Date();
    show(item, present, now);
    countLocally(item, present);
    var queue = load();
    queue.push({
      id: now.getTime() + ":" + Math.random().toString(36).slice(2),
      action: form.action,
      registration: form.elements.registration.value,
      date: form.elements.date.value,
      present: present ? "1" : "0",
      tapped_at: now.toISOString(),
    });
    save(queue);
    flush();
  }

  // Taps still waiting from before this page was loaded: shown as made.
  function showWaiting() {
    load().forEach(function (tap) {
      var item = document.getElementById("r-" + tap.registration);
      var form = item && item.querySelector(".tap-form");
      if (form && form.elements.date.value === tap.date) {
        show(item, tap.present === "1", new Date(tap.tapped_at));
      }
    });
  }

  document.addEventListener("submit", onTap);
  showWaiting();
  window.addEventListener("online", flush);
  window.setInterval(flush, 10000);
  showQueue(load().length);
  flush();
})();
