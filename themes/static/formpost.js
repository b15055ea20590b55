// response_mode=form_post: send the authorization response on at once. The
// page's Continue button does the same without JavaScript.
(function () {
  'use strict';
  var form = document.querySelector('form[data-pv-autosubmit]');
  if (form) {
    form.submit();
  }
})();
