// Progressive enhancement of document upload forms: drag and drop onto the drop zone,
// and a progress bar while the files stream up. Without JavaScript the form posts as usual.
(function () {
  "use strict";
  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    var input = form.querySelector('input[type="file"]');
    var zone = form.querySelector("[data-dropzone]");
    var progress = form.querySelector("[data-progress]");
    var bar = progress && progress.querySelector("progress");
    var status = form.querySelector("[data-upload-status]");
    var errors = form.querySelector("[data-upload-errors]");
    if (!input || !window.FormData || !window.XMLHttpRequest) return;

    if (zone) {
      ["dragenter", "dragover"].forEach(function (name) {
        zone.addEventListener(name, function (event) {
          event.preventDefault();
          zone.classList.add("dropzone--active");
        });
      });
      ["dragleave", "drop"].forEach(function (name) {
        zone.addEventListener(name, function () { zone.classList.remove("dropzone--active"); });
      });
      zone.addEventListener("drop", function (event) {
        event.preventDefault();
        if (event.dataTransfer && event.dataTransfer.files.length) {
          input.files = event.dataTransfer.files;
          status.textContent = Array.prototype.map.call(input.files, function (f) { return f.name; }).join(", ");
        }
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("Accept", "application/json");
      request.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable && bar) bar.value = Math.round((e.loaded / e.total) * 100);
      });
      request.addEventListener("load", function () {
        var answer = {};
        try { answer = JSON.parse(request.responseText); } catch (error) { answer = {}; }
        if (request.status === 200 && answer.ok) {
          window.location.assign(answer.redirect);
          return;
        }
        progress.hidden = true;
        if (answer.html !== undefined && errors) {
          // The server's own markup for a refusal: the page looks as it does without JavaScript.
          errors.innerHTML = answer.html;
          status.textContent = "";
          return;
        }
        status.textContent = (answer.errors || [form.dataset.failed || "Upload failed."]).join(" ");
        status.setAttribute("role", "alert");
      });
      request.addEventListener("error", function () {
        progress.hidden = true;
        status.textContent = form.dataset.failed || "Upload failed.";
      });
      if (errors) errors.innerHTML = "";
      if (progress) { progress.hidden = false; bar.value = 0; }
      request.send(new FormData(form));
    });
  });
})();
