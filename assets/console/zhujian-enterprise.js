// The enterprise portal's own script (no inline script: the pages' CSP is script-src 'self').
// 1. Upload forms (form[data-upload]) are sent with XMLHttpRequest so a progress bar shows how
//    much of the file is sent; the answer is the profile page, whose <main> replaces this one's.
//    Without this script the same forms post as they are.
// 2. The "use my position" button fills the coordinates from the browser's position (WGS-84).
(function () {
  "use strict";

  function swapMain(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var main = page.querySelector("main");
    if (main) {
      document.querySelector("main").replaceWith(document.adoptNode(main));
      bind();
    }
  }

  function upload(form, event) {
    event.preventDefault();
    var progress = form.querySelector("progress");
    var percent = form.querySelector("[aria-live]");
    var button = form.querySelector("button[type=submit]");
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        var done = Math.floor((e.loaded / e.total) * 100);
        progress.value = done;
        percent.textContent = done + "%";
      }
    });
    request.addEventListener("load", function () {
      swapMain(request.responseText);
      // The new page's bar of this form shows the file arrived whole.
      var bar = document.getElementById(progress.id);
      if (bar && request.status < 300) {
        bar.hidden = false;
        bar.value = 100;
      }
    });
    request.addEventListener("error", function () {
      button.disabled = false;
      percent.textContent = "✗";
    });
    progress.hidden = false;
    progress.value = 0;
    button.disabled = true;
    request.send(new FormData(form));
  }

  function locate(button) {
    if (!navigator.geolocation) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (position) {
        document.getElementById("latitude").value = position.coords.latitude.toFixed(6);
        document.getElementById("longitude").value = position.coords.longitude.toFixed(6);
        document.getElementById("system").value = "wgs84";
      });
    });
  }

  function bind() {
    document.querySelectorAll("form[data-upload]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        upload(form, event);
      });
    });
    document.querySelectorAll("button[data-locate]").forEach(locate);
  }

  document.addEventListener("DOMContentLoaded", bind);
})();
