// claimsca portal: only the guide's dialogs. Every form works without this file (the
// server then shows a confirmation page instead of the dialog).
'use strict';
document.addEventListener('DOMContentLoaded', function () {
  // Tells the server that the pop-up can be shown as a dialog (図表7).
  document.querySelectorAll('input[name="js"]').forEach(function (input) { input.value = '1'; });

  // 「…よろしいでしょうか？」 before cancel and revoke (図表13, 14).
  document.querySelectorAll('form[data-confirm]').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      if (!window.confirm(form.getAttribute('data-confirm'))) {
        event.preventDefault();
        return;
      }
      var confirmed = form.querySelector('input[name="confirmed"]');
      if (confirmed) confirmed.value = '1';
    });
  });

  // The download site's and the terminal site's file: the page says what was downloaded
  // and starts saving the file once (the button stays for a second try).
  // A download link (not a navigation), so the page stays as it is.
  var auto = document.querySelector('a[data-auto-download]');
  if (auto) {
    var start = document.createElement('a');
    start.href = auto.href;
    start.setAttribute('download', auto.getAttribute('data-auto-download'));
    document.body.appendChild(start);
    start.click();
    start.remove();
  }

  // The pre-submit pop-up with the earlier-application count and the fee (図表7):
  // OK shows the confirmation screen under it, キャンセル goes back to the form.
  var dialog = document.getElementById('preview-dialog');
  if (dialog && typeof dialog.showModal === 'function') {
    dialog.querySelector('[data-dialog-ok]').addEventListener('click', function () { dialog.close(); });
    dialog.querySelector('[data-dialog-cancel]').addEventListener('click', function () {
      dialog.close();
      var back = document.querySelector('#back-form button[name="step"]');
      if (back) back.click();
    });
    dialog.addEventListener('cancel', function () {
      var back = document.querySelector('#back-form button[name="step"]');
      if (back) back.click();
    });
    dialog.showModal();
  }
});
