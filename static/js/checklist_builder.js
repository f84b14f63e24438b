// Checklist builder: drag a step to reorder the draft (progressive enhancement: the up/down
// buttons work without it). On drop the new order is posted to data-reorder-url as ``keys``;
// the page reloads so the numbering, the arrows and the draft banner match the server. No
// inline scripts.
(function () {
  "use strict";
  var list = document.querySelector("[data-reorder-url]");
  if (!list) {
    return;
  }
  var url = list.getAttribute("data-reorder-url");
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  var dragged = null;

  function itemOf(node) {
    while (node && node !== list) {
      if (node.getAttribute && node.hasAttribute("data-key")) {
        return node;
      }
      node = node.parentNode;
    }
    return null;
  }

  list.addEventListener("dragstart", function (event) {
    dragged = itemOf(event.target);
    if (dragged) {
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", dragged.getAttribute("data-key"));
      dragged.classList.add("opacity-50");
    }
  });

  list.addEventListener("dragover", function (event) {
    var over = itemOf(event.target);
    if (!dragged || !over || over === dragged) {
      return;
    }
    event.preventDefault();
    var box = over.getBoundingClientRect();
    var after = event.clientY > box.top + box.height / 2;
    list.insertBefore(dragged, after ? over.nextSibling : over);
  });

  list.addEventListener("dragend", function () {
    if (!dragged) {
      return;
    }
    dragged.classList.remove("opacity-50");
    dragged = null;
    var body = new URLSearchParams();
    list.querySelectorAll("[data-key]").forEach(function (item) {
      body.append("keys", item.getAttribute("data-key"));
    });
    fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "", Accept: "application/json" },
    }).then(function () {
      window.location.reload();
    });
  });
})();
