// Progress of a background job: polls /jobs/<id> (JSON) until the job is done.
// No inline scripts: the Content-Security-Policy forbids them; the URL comes from a data attribute.
(function () {
  "use strict";
  var box = document.getElementById("job-progress");
  if (!box) return;
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("job-bar");
  var percent = document.getElementById("job-percent");
  var message = document.getElementById("job-message");
  var errorBox = document.getElementById("job-error");
  var doneBox = document.getElementById("job-done");
  var result = document.getElementById("job-result");
  var link = document.getElementById("job-link");
  var download = document.getElementById("job-download");
  var delay = 1000;

  function show(element, visible) {
    if (element) element.classList.toggle("d-none", !visible);
  }

  function render(job) {
    bar.value = job.progress;
    bar.textContent = job.progress + "%";
    percent.textContent = job.progress;
    if (job.message) message.textContent = job.message;
    if (job.status === "failed") {
      errorBox.textContent = job.error || "Задание завершилось с ошибкой.";
      show(errorBox, true);
    }
    if (job.status === "finished") {
      var data = job.result || {};
      result.textContent = data.message || "Готово.";
      if (data.url) link.setAttribute("href", data.url);
      show(link, Boolean(data.url));
      if (job.download_url) download.setAttribute("href", job.download_url);
      show(download, Boolean(job.download_url));
      show(doneBox, true);
    }
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (job) {
        render(job);
        if (!job.is_done) {
          delay = Math.min(delay * 1.2, 5000);
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        message.textContent = "Нет связи с сервером, повторяем…";
        window.setTimeout(poll, 5000);
      });
  }

  if (box.querySelector("#job-done.d-none") && box.querySelector("#job-error.d-none")) poll();
})();
