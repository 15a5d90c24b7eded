// The report form's "use my location": the browser's geolocation fills
// the latitude and longitude fields. Without it (or without JavaScript)
// the fields and the ward list still work.
(function () {
  var b = document.getElementById("locate");
  var st = document.getElementById("locate-status");
  if (!b || !navigator.geolocation) return;
  b.hidden = false;
  b.addEventListener("click", function () {
    st.textContent = st.dataset.wait;
    navigator.geolocation.getCurrentPosition(function (p) {
      document.getElementById("lat").value = p.coords.latitude.toFixed(6);
      document.getElementById("long").value = p.coords.longitude.toFixed(6);
      st.textContent = p.coords.latitude.toFixed(5) + ", " + p.coords.longitude.toFixed(5);
    }, function () { st.textContent = st.dataset.fail; }, { enableHighAccuracy: true, timeout: 15000 });
  });
})();
