// Package simui is the look and the language of the simulators' pages: each plays
// an eID app on a phone screen (one column, big touch targets, the eID's
// colours), stays marked as a simulator, and speaks sv, nb, fi, da and en.
//
// It holds the shared layout, the translations (locales/<lang>.yaml, read with
// go-i18n like the broker's own pages), the style sheet and the icon, and picks
// a page's language: the person's choice on the page, then what the request
// asked for (ui_locales), then the browser's languages.
package simui
