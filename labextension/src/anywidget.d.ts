// anywidget's npm bundle has no types for its main entry (./widgets.ts evaluates it for its factory).
declare module 'anywidget';
