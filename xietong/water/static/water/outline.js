/* A schematic outline of the five cities and the three rivers, drawn without map tiles.
   The polygons share their corner points, so neighbouring cities meet; they show where a
   section lies, not the legal boundaries (which an operator's tile server would). [lon, lat] */
(function () {
  var P = {
    A: [111.1, 39.45], B: [112.3, 39.65], C: [113.3, 39.5], D: [114.0, 39.05], E: [114.0, 38.45],
    G: [113.05, 38.25], L: [112.3, 38.4], K: [111.65, 38.25], Y: [111.45, 38.65], U: [111.0, 38.8],
    H: [113.0, 37.9], J: [113.5, 37.7], I: [114.0, 37.75], O: [112.75, 37.6], M: [112.45, 37.45],
    N: [111.6, 37.85], P: [114.0, 37.0], Q: [113.5, 36.6], R: [112.5, 36.7], S: [111.8, 36.75],
    T: [111.9, 37.2], X: [111.5, 36.6], W: [110.6, 36.75], V: [110.72, 37.55]
  };
  function ring(names) {
    var points = names.split(" ").map(function (n) { return P[n]; });
    points.push(points[0]);
    return [points];
  }
  var CITIES = [
    ["忻州", "Xinzhou", "A B C D E G L K Y U"],
    ["太原", "Taiyuan", "K L G H O M N"],
    ["阳泉", "Yangquan", "G E I J H"],
    ["晋中", "Jinzhong", "M O H J I P Q R S T"],
    ["吕梁", "Lüliang", "U Y K N M T S X W V"]
  ];
  window.XIETONG_WATER_OUTLINE = {
    type: "FeatureCollection",
    features: CITIES.map(function (c) {
      return { type: "Feature", properties: { name: c[0], name_en: c[1] }, geometry: { type: "Polygon", coordinates: ring(c[2]) } };
    })
  };
  window.XIETONG_WATER_RIVERS = [
    { name: "汾河", coords: [[112.2, 38.95], [112.05, 38.55], [111.92, 38.2], [111.9, 38.05], [111.95, 38.03], [112.42, 38.0], [112.55, 37.85], [112.42, 37.55], [112.2, 37.3], [111.93, 37.05], [111.8, 36.8], [111.75, 36.55]] },
    { name: "滹沱河", coords: [[113.45, 39.25], [113.2, 39.15], [112.95, 39.0], [112.72, 38.73], [112.85, 38.5], [113.1, 38.45], [113.4, 38.4], [114.0, 38.3]] },
    { name: "黄河", coords: [[111.45, 39.55], [111.15, 39.35], [111.05, 39.0], [111.0, 38.78], [110.85, 38.2], [110.78, 37.63], [110.65, 37.0], [110.6, 36.7]] },
    { name: "桃河·温河", coords: [[113.3, 37.95], [113.4, 37.92], [113.57, 37.86], [113.95, 37.98]] }
  ];
})();
