export const DESKTOP_MIN_WIDTH = 900
export const isDesktop = () => window.innerWidth >= DESKTOP_MIN_WIDTH
