/**
 * The pages' own scripts, served from `/static/` (the CSP allows scripts from 'self' only, never
 * inline). Every page works without them; they only add comfort.
 */

/** The collection page's playlist: when one song ends, the next one plays. */
export const PLAYLIST_JS = `'use strict';
document.addEventListener('DOMContentLoaded', function () {
  var players = Array.prototype.slice.call(document.querySelectorAll('ol.playlist audio'));
  players.forEach(function (player, i) {
    player.addEventListener('ended', function () {
      var next = players[i + 1];
      if (next) { next.currentTime = 0; next.play().catch(function () {}); }
    });
    player.addEventListener('play', function () {
      players.forEach(function (other) { if (other !== player) other.pause(); });
    });
  });
});
`;

/** The API explorer: Swagger UI on our own OpenAPI document, with the bearer key as "Authorize". */
export const EXPLORER_INIT_JS = `'use strict';
window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    tryItOutEnabled: false,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
});
`;
