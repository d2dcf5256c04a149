// The concern form's optional map point: "Use my location" fills latitude and longitude from the browser's
// geolocation (shown only where the browser offers it). Nothing is sent anywhere until the form is.
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("use-location");
  const form = button && button.closest("form");
  if (!form || !("geolocation" in navigator)) return;
  const status = document.getElementById("location-status");
  button.hidden = false;
  button.addEventListener("click", () => {
    status.textContent = form.dataset.locating;
    navigator.geolocation.getCurrentPosition(
      (position) => {
        form.querySelector("[name=lat]").value = position.coords.latitude.toFixed(6);
        form.querySelector("[name=lon]").value = position.coords.longitude.toFixed(6);
        status.textContent = form.dataset.located;
      },
      () => {
        status.textContent = form.dataset.unlocated;
      },
      { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 },
    );
  });
});
