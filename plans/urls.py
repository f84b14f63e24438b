from django.urls import path

from plans import review_views, views

app_name = "plans"

urlpatterns = [
    # the partner's side (its members; admins draft)
    path("portal/plans/", views.PartnerPlanListView.as_view(), name="list"),
    path("portal/plans/new/", views.PartnerPlanCreateView.as_view(), name="create"),
    path("portal/plans/scorecard/", views.PartnerScorecardView.as_view(), name="scorecard"),
    path("portal/plans/<int:pk>/", views.PartnerPlanDetailView.as_view(), name="detail"),
    # the vendor's side
    path("manage/plans/", views.ManagerPlanListView.as_view(), name="manage_list"),
    path("manage/plans/<int:pk>/", views.ManagerPlanDetailView.as_view(), name="manage_detail"),
    path(
        "manage/partners/<int:pk>/plans/new/",
        views.ManagerPlanCreateView.as_view(),
        name="manage_create",
    ),
    path(
        "manage/partners/<int:pk>/scorecard/",
        views.ManagerScorecardView.as_view(),
        name="manage_scorecard",
    ),
    # actions, both sides (POST)
    path("plans/<int:pk>/goals/add/", views.GoalAddView.as_view(), name="goal_add"),
    path("plans/goals/<int:pk>/remove/", views.GoalRemoveView.as_view(), name="goal_remove"),
    path("plans/goals/<int:pk>/done/", views.GoalDoneView.as_view(), name="goal_done"),
    path(
        "plans/<int:pk>/initiatives/add/", views.InitiativeAddView.as_view(), name="initiative_add"
    ),
    path(
        "plans/initiatives/<int:pk>/status/",
        views.InitiativeStatusView.as_view(),
        name="initiative_status",
    ),
    path("plans/<int:pk>/summary/", views.SummaryEditView.as_view(), name="summary"),
    path(
        "plans/initiatives/<int:pk>/remove/",
        views.InitiativeRemoveView.as_view(),
        name="initiative_remove",
    ),
    path(
        "plans/<int:pk>/commitments/add/", views.CommitmentAddView.as_view(), name="commitment_add"
    ),
    path(
        "plans/commitments/<int:pk>/remove/",
        views.CommitmentRemoveView.as_view(),
        name="commitment_remove",
    ),
    path("plans/<int:pk>/comments/add/", views.CommentAddView.as_view(), name="comment_add"),
    path("plans/<int:pk>/submit/", views.SubmitView.as_view(), name="submit"),
    path("plans/<int:pk>/approve/", views.ApproveView.as_view(), name="approve"),
    path("plans/<int:pk>/send-back/", views.SendBackView.as_view(), name="send_back"),
    path("plans/<int:pk>/revise/", views.ReviseView.as_view(), name="revise"),
    # the scorecard as a PDF for the quarterly review (issue 21), both sides
    path(
        "portal/plans/scorecard.pdf",
        views.PartnerScorecardPdfView.as_view(),
        name="scorecard_pdf",
    ),
    path(
        "manage/partners/<int:pk>/scorecard.pdf",
        views.ManagerScorecardPdfView.as_view(),
        name="manage_scorecard_pdf",
    ),
    # quarterly business reviews: the partner's pages, the vendor's, then actions (POST)
    path("portal/reviews/", review_views.PartnerReviewListView.as_view(), name="portal_reviews"),
    path(
        "portal/reviews/<int:pk>/",
        review_views.PartnerReviewDetailView.as_view(),
        name="portal_review",
    ),
    path("manage/reviews/", review_views.ManagerReviewListView.as_view(), name="manage_reviews"),
    path(
        "manage/reviews/<int:pk>/",
        review_views.ManagerReviewDetailView.as_view(),
        name="manage_review",
    ),
    path(
        "manage/reviews/<int:pk>/edit/", review_views.ReviewEditView.as_view(), name="review_edit"
    ),
    path(
        "manage/partners/<int:pk>/reviews/new/",
        review_views.ReviewScheduleView.as_view(),
        name="review_schedule",
    ),
    path(
        "reviews/<int:pk>/calendar.ics",
        review_views.ReviewCalendarView.as_view(),
        name="review_ics",
    ),
    path("reviews/<int:pk>/hold/", review_views.ReviewHoldView.as_view(), name="review_hold"),
    path("reviews/<int:pk>/cancel/", review_views.ReviewCancelView.as_view(), name="review_cancel"),
    path("reviews/<int:pk>/notes/", review_views.ReviewNotesView.as_view(), name="review_notes"),
    path(
        "reviews/<int:pk>/comments/add/",
        review_views.ReviewCommentView.as_view(),
        name="review_comment",
    ),
    path(
        "reviews/<int:pk>/actions/add/",
        review_views.ActionItemAddView.as_view(),
        name="review_action_add",
    ),
    path(
        "reviews/actions/<int:pk>/initiative/",
        review_views.ActionItemInitiativeView.as_view(),
        name="review_action_initiative",
    ),
]
