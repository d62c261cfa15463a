#pragma once

// Files handed over by a short-lived link (docs/portal.md, "Download site"): a browser
// cannot show a page and save a file from one answer, so the form's answer is a page that
// says what was downloaded and starts the file by a link that works only for the browser
// that posted the form (the anonymous pages' CSRF cookie) and only for a few minutes (a
// second click within them saves the file again). The files are kept in the database,
// sealed, so that the link works on whichever `serve` process it reaches
// (webstate::OneTimeFiles, migration 094).

#include <string>

#include "web/http.h"
#include "webstate/one_time_files.h"

namespace claimsca::portal {

using webstate::OneTimeFile;
using webstate::OneTimeFiles;

// The owner of a browser's one-time files: its anonymous CSRF cookie ("" when absent).
std::string OneTimeOwner(const web::Request& req);
// GET …?t=TOKEN: the file as an attachment, or a page saying the link has expired,
// with a link to `back` (`back_label`).
web::Response ServeOneTimeFile(OneTimeFiles& files, const web::Request& req,
                               const std::string& back, const std::string& back_label);

}  // namespace claimsca::portal
