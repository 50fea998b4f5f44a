/* The Grand Bain programme's bottom bar: once a visit is ticked, a bar at the bottom of the
   screen counts the visits chosen ("2 visites choisies"), opens on the list of them with
   their times, removes one in place, and books them. The ticks of other days travel in the
   form (hidden `slot` inputs), so without this script the page still works: the day
   buttons and "Retirer" post the selection back to the programme, and the bar's button
   books what is ticked. */
(function () {
  "use strict";

  var form = document.getElementById("gb-programme");
  var bar = document.getElementById("gb-bar");
  if (!form || !bar) return;
  var choices = bar.querySelector(".gb-choices");
  var count = bar.querySelector(".gb-choices-count");
  var list = bar.querySelector(".gb-choices-list");
  var book = bar.querySelector(".gb-book-button");
  var filters = document.querySelector(".gb-filters form");

  function chosen() {
    return Array.prototype.filter.call(form.querySelectorAll("input[name=slot]"), function (input) {
      return input.type === "hidden" || input.checked;
    });
  }

  function label(n) {
    return n === 1 ? bar.getAttribute("data-one") : bar.getAttribute("data-many").replace("%n", n);
  }

  function item(input) {
    var li = document.createElement("li");
    li.setAttribute("data-slot", input.value);
    var text = document.createElement("span");
    text.className = "gb-choice-text";
    var host = document.createElement("strong");
    host.textContent = input.getAttribute("data-host");
    var when = document.createElement("span");
    when.textContent = input.getAttribute("data-when");
    text.appendChild(host);
    text.appendChild(document.createTextNode(" "));
    text.appendChild(when);
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "gb-remove";
    remove.textContent = bar.getAttribute("data-remove");
    var named = document.createElement("span");
    named.className = "visually-hidden";
    named.textContent = " : " + input.getAttribute("data-host");
    remove.appendChild(named);
    remove.addEventListener("click", function () {
      var position = Array.prototype.indexOf.call(list.children, li);
      if (input.type === "hidden") {
        input.parentNode.removeChild(input);
      } else {
        input.checked = false;
      }
      render();
      var buttons = list.querySelectorAll(".gb-remove");
      var next = buttons[Math.min(position, buttons.length - 1)];
      (next || book).focus();
    });
    li.appendChild(text);
    li.appendChild(remove);
    return li;
  }

  function render() {
    var inputs = chosen();
    bar.hidden = inputs.length === 0;
    document.body.classList.toggle("gb-bar-shown", inputs.length > 0);
    choices.hidden = false;
    count.textContent = label(inputs.length);
    while (list.firstChild) list.removeChild(list.firstChild);
    inputs.forEach(function (input) {
      list.appendChild(item(input));
    });
    if (!inputs.length) choices.open = false;
    carry(inputs);
  }

  // The filter form carries the selection too: filtering keeps what is ticked.
  function carry(inputs) {
    if (!filters) return;
    Array.prototype.forEach.call(filters.querySelectorAll("input[name=slot]"), function (input) {
      input.parentNode.removeChild(input);
    });
    inputs.forEach(function (input) {
      var copy = document.createElement("input");
      copy.type = "hidden";
      copy.name = "slot";
      copy.value = input.value;
      filters.appendChild(copy);
    });
  }

  bar.classList.add("gb-bar-live");
  book.textContent = bar.getAttribute("data-short");
  form.addEventListener("change", function (event) {
    if (event.target.name === "slot") render();
  });
  render();
})();
