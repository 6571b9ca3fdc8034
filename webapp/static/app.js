// Small helpers for the desk pages; the pages work without them except drag and drop and polling.
(function () {
  "use strict";

  function fold(s) {
    return s.replace(/đ/g, "d").replace(/Đ/g, "D").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  // New dossier: filter procedures by code or name, without diacritics.
  var search = document.getElementById("tim-thu-tuc");
  var select = document.getElementById("procedure");
  if (search && select) {
    search.addEventListener("input", function () {
      var words = fold(search.value).split(/\s+/).filter(Boolean);
      var first = null;
      Array.prototype.forEach.call(select.options, function (opt) {
        if (!opt.value) return;
        var hay = fold(opt.dataset.search || opt.text);
        var show = words.every(function (w) { return hay.indexOf(w) >= 0; });
        opt.hidden = !show;
        if (show && !first) first = opt;
      });
      if (words.length && first) select.value = first.value;
    });
  }

  // New dossier: drag and drop several files onto the drop zone.
  var drop = document.getElementById("drop");
  var input = document.getElementById("upload");
  var list = document.getElementById("file-list");
  function showFiles() {
    if (!list || !input) return;
    list.innerHTML = "";
    Array.prototype.forEach.call(input.files, function (f) {
      var li = document.createElement("li");
      li.textContent = f.name + " (" + Math.ceil(f.size / 1024) + " kB)";
      list.appendChild(li);
    });
  }
  if (drop && input) {
    ["dragenter", "dragover"].forEach(function (ev) {
      drop.addEventListener(ev, function (e) { e.preventDefault(); drop.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (ev) {
      drop.addEventListener(ev, function (e) { e.preventDefault(); drop.classList.remove("over"); });
    });
    drop.addEventListener("drop", function (e) {
      var dt = new DataTransfer();
      Array.prototype.forEach.call(input.files, function (f) { dt.items.add(f); });
      Array.prototype.forEach.call(e.dataTransfer.files, function (f) { dt.items.add(f); });
      input.files = dt.files;
      showFiles();
    });
    input.addEventListener("change", showFiles);
  }

  // Progress: poll the JSON endpoint until the dossier is done.
  var box = document.getElementById("progress");
  if (box) {
    var code = box.dataset.code;
    var label = document.getElementById("trang-thai");
    var fill = document.getElementById("fill");
    var names = { received: "đã nhận", processing: "đang xử lý", done: "xong", failed: "lỗi" };
    var poll = function () {
      fetch("/api/dossiers/" + encodeURIComponent(code) + "/progress", { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (p) {
          box.dataset.state = p.state;
          var pct = p.pages_total ? Math.round(100 * p.pages_done / p.pages_total) : Math.min(90, 5 + p.elapsed_s * 3);
          fill.style.width = (p.state === "done" ? 100 : pct) + "%";
          label.textContent = "Trạng thái: " + (names[p.state] || p.state) + " · " + Math.round(p.elapsed_s) + " giây";
          if (p.state === "done") { window.location = "/ho-so/" + encodeURIComponent(code); }
          else if (p.state === "failed") { label.textContent = "Xử lý lỗi. Bản gốc vẫn được lưu; hãy báo quản trị."; }
          else { setTimeout(poll, 1000); }
        })
        .catch(function () { setTimeout(poll, 2000); });
    };
    poll();
  }

  // Review: hovering a field lights its box on the page image.
  document.querySelectorAll("form.field").forEach(function (form) {
    var key = form.id.replace(/^truong-/, "");
    var rect = document.querySelector('rect[data-field="' + key + '"]');
    if (!rect) return;
    form.addEventListener("focusin", function () { rect.classList.add("active"); });
    form.addEventListener("focusout", function () { rect.classList.remove("active"); });
  });
  document.querySelectorAll(".page-box img").forEach(function (img) {
    img.addEventListener("load", function () {
      var svg = img.nextElementSibling;
      if (svg && (!img.dataset.w || img.dataset.w === "0")) {
        svg.setAttribute("viewBox", "0 0 " + img.naturalWidth + " " + img.naturalHeight);
      }
    });
  });
})();
