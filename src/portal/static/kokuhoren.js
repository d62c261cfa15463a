// 電子請求受付システム pages: the 送信確認 screen's 利用規約 (seed 002 Q1 ⑤). The check box
// 「上記内容に同意する」 is enabled only once the terms are scrolled to their end. Without
// this file the box sits after the last article inside the scrolled text, and the server
// refuses a form without it.
'use strict';
document.addEventListener('DOMContentLoaded', function () {
  var terms = document.getElementById('terms');
  var agree = document.getElementById('agree');
  if (!terms || !agree) return;
  agree.disabled = true;
  var check = function () {
    if (terms.scrollTop + terms.clientHeight >= terms.scrollHeight - 4) {
      agree.disabled = false;
      terms.removeEventListener('scroll', check);
    }
  };
  terms.addEventListener('scroll', check);
  check();
});
