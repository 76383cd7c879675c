// Package chart draws the web app's charts as inline SVG, server-side, so
// that pages need no script: a line chart and a sparkline of values over
// time, a funnel's bars, attribution credit bars, a hidden-state diagram
// and a Sankey diagram of journey paths (laid out by LayoutSankey, drawn
// by Sankey.SVG). Its functions are pure: data in, markup out. Only
// numbers and escaped text reach the markup, and numbers read as the pages
// write them (FormatInt, FormatPct).
package chart
