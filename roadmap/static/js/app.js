// Behaviour without inline scripts (the Content-Security-Policy forbids them).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// A file input with data-max-bytes refuses an empty or oversize file as soon as it is chosen,
// beside the field (the server would refuse it too, but only after sending it all).
function fileProblems(input) {
  var limit = Number(input.getAttribute("data-max-bytes"));
  var problems = [];
  Array.prototype.forEach.call(input.files || [], function (file) {
    var template = file.size === 0 ? input.getAttribute("data-empty") : file.size > limit ? input.getAttribute("data-too-large") : null;
    if (template) problems.push(template.replace("{name}", file.name));
  });
  return problems.join(" ");
}

function showFileProblems(input) {
  var text = fileProblems(input);
  var box = document.getElementById(input.id + "-chosen-error");
  if (!box) {
    box = document.createElement("div");
    box.id = input.id + "-chosen-error";
    box.className = "invalid-feedback d-block";
    box.setAttribute("role", "alert");
    input.insertAdjacentElement("afterend", box);
  }
  box.textContent = text;
  input.classList.toggle("is-invalid", Boolean(text));
  return text;
}

document.addEventListener("change", function (event) {
  if (event.target.matches("input[type=file][data-max-bytes]")) showFileProblems(event.target);
});

document.addEventListener("submit", function (event) {
  var inputs = event.target.querySelectorAll("input[type=file][data-max-bytes]");
  Array.prototype.forEach.call(inputs, function (input) {
    if (showFileProblems(input) && !event.defaultPrevented) {
      event.preventDefault();
      input.focus();
    }
  });
});

document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (!button) return;
  var source = document.getElementById(button.getAttribute("data-copy"));
  if (!source) return;
  var text = source.value || source.textContent;
  var done = function () {
    var original = button.textContent;
    button.textContent = "Скопировано";
    setTimeout(function () { button.textContent = original; }, 2000);
  };
  if (navigator.clipboard) {
    navigator.clipboard.writeText(text.trim()).then(done);
  } else {
    source.select && source.select();
    document.execCommand("copy");
    done();
  }
});

// Select-all checkbox for bulk actions.
document.addEventListener("change", function (event) {
  var box = event.target;
  if (!box.matches("[data-check-all]")) return;
  document.querySelectorAll(box.getAttribute("data-check-all")).forEach(function (other) {
    other.checked = box.checked;
  });
});

// Filters that submit themselves when changed.
document.addEventListener("change", function (event) {
  if (event.target.matches("[data-autosubmit]")) event.target.form.submit();
});

// A double click sends a form once: a second submit within a few seconds is ignored
// (a download leaves the page in place, so the form is usable again afterwards).
document.addEventListener("submit", function (event) {
  if (event.defaultPrevented) return;
  var form = event.target;
  var last = Number(form.getAttribute("data-sent-at") || 0);
  if (Date.now() - last < 5000) {
    event.preventDefault();
    return;
  }
  form.setAttribute("data-sent-at", String(Date.now()));
});

// A page that comes back with a refused form shows the first field to fix, focused
// (on a phone the form is far below the top of the page).
(function () {
  var invalid = document.querySelector("main form .is-invalid");
  if (!invalid) return;
  var closed = invalid.closest("details:not([open])");
  if (closed) closed.open = true;
  invalid.focus({ preventScroll: true });
  // Bootstrap makes the page's scrolling smooth; the field to fix is shown at once instead, so
  // that it is in view the moment the page is read (by a person or a test).
  invalid.scrollIntoView({ block: "center", behavior: "instant" });
})();

// A table that scrolls (sideways on a phone, or a long list in a box of its own) must be reachable
// by keyboard: it gets a tab stop and a name (the table's caption or the heading above it) while it
// scrolls. Containers that carry their own tabindex in the template are left alone.
(function () {
  var SCROLLERS = ".table-responsive, .scroll-40";
  function heading(box) {
    var table = box.querySelector("table");
    if (table && table.caption) return table.caption.textContent;
    if (table && table.getAttribute("aria-label")) return table.getAttribute("aria-label");
    for (var node = box; node && node !== document.body; node = node.parentElement) {
      for (var prev = node.previousElementSibling; prev; prev = prev.previousElementSibling) {
        if (/^H[1-6]$/.test(prev.tagName)) return prev.textContent;
        var inner = prev.querySelectorAll("h1, h2, h3, h4, h5, h6");
        if (inner.length) return inner[inner.length - 1].textContent;
      }
    }
    return document.title.split(" — ")[0];
  }
  function mark() {
    document.querySelectorAll(SCROLLERS).forEach(function (box) {
      if (box.hasAttribute("tabindex") && !box.hasAttribute("data-scroll-region")) return;
      var scrolls = box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
      if (scrolls && !box.hasAttribute("data-scroll-region")) {
        box.setAttribute("data-scroll-region", "");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", "Таблица «" + heading(box).replace(/\s+/g, " ").trim() + "» (прокручивается)");
      } else if (!scrolls && box.hasAttribute("data-scroll-region")) {
        ["data-scroll-region", "tabindex", "role", "aria-label"].forEach(function (name) { box.removeAttribute(name); });
      }
    });
  }
  mark();
  var pending;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(mark, 150);
  });
  document.addEventListener("toggle", mark, true);  // a <details> opened: its tables are measured now
})();
